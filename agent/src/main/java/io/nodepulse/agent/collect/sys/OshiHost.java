package io.nodepulse.agent.collect.sys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * OSHI, pointed at the host's /proc and /sys, describes the host's hardware once at start-up: CPU model and
 * topology (from {@code <proc>/cpuinfo} and {@code <sys>/devices/system/cpu}), memory size and the
 * machine's vendor and model (DMI under {@code <sys>}). Per-cycle families use this package's own readers:
 * see the module README for why.
 *
 * <p>OSHI reads its proc and sys paths once, when its {@code ProcPath} and {@code SysPath} classes load, and
 * fails for good if a path does not exist then. So {@link #configure} must run before anything touches OSHI,
 * and the first configuration holds for the life of the JVM.
 */
public final class OshiHost {
    private static Path configuredProc;
    private static Path configuredSys;

    private OshiHost() {
    }

    /**
     * Points OSHI at {@code proc} and {@code sys} unless it was pointed elsewhere already.
     *
     * @return null when OSHI will read these paths, otherwise why it will not
     */
    public static synchronized String configure(Path proc, Path sys) {
        Path p = proc.toAbsolutePath().normalize();
        Path s = sys.toAbsolutePath().normalize();
        if (configuredProc != null) {
            return configuredProc.equals(p) && configuredSys.equals(s) ? null
                    : "OSHI already reads " + configuredProc + " and " + configuredSys + " in this JVM";
        }
        if (!Files.isDirectory(p) || !Files.isDirectory(s)) {
            return "OSHI not used: " + (Files.isDirectory(p) ? s : p) + " does not exist";
        }
        oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_UTIL_PROC_PATH, p.toString());
        oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_UTIL_SYS_PATH, s.toString());
        // udev and systemd would be read from the container's /run, not the host's.
        oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_OS_LINUX_ALLOWUDEV, false);
        oshi.util.GlobalConfig.set(oshi.util.GlobalConfig.OSHI_OS_LINUX_ALLOWSYSTEMD, false);
        configuredProc = p;
        configuredSys = s;
        return null;
    }

    /**
     * One line about the host's hardware, e.g.
     * {@code "Amazon EC2 m5.xlarge: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz, 1 package, 2 cores, 4 logical CPUs, 15.4 GiB"}.
     * Costs a few hundred milliseconds of CPU on first use (class loading), so it runs once.
     */
    public static synchronized String describe() {
        if (configuredProc == null) {
            throw new IllegalStateException("configure OSHI first");
        }
        String procPath = oshi.util.linux.ProcPath.PROC;
        if (!Path.of(procPath).equals(configuredProc)) {
            return "OSHI reads " + procPath + " instead of " + configuredProc + " (its paths were fixed before start)";
        }
        oshi.hardware.HardwareAbstractionLayer hw = new oshi.SystemInfo().getHardware();
        oshi.hardware.CentralProcessor cpu = hw.getProcessor();
        String vendor = clean(oshi.util.driver.linux.Sysfs.querySystemVendor());
        String model = clean(oshi.util.driver.linux.Sysfs.queryProductModel());
        String machine = (vendor + " " + model).strip();
        return (machine.isEmpty() ? "" : machine + ": ")
                + cpu.getProcessorIdentifier().getName().strip() + ", "
                + cpu.getPhysicalPackageCount() + (cpu.getPhysicalPackageCount() == 1 ? " package, " : " packages, ")
                + cpu.getPhysicalProcessorCount() + " cores, "
                + cpu.getLogicalProcessorCount() + " logical CPUs, "
                + String.format(Locale.ROOT, "%.1f GiB", hw.getMemory().getTotal() / (double) (1L << 30));
    }

    private static String clean(String s) {
        String v = Objects.requireNonNullElse(s, "").strip();
        return v.equalsIgnoreCase("unknown") ? "" : v;
    }
}
