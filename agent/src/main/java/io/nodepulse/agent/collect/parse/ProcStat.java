package io.nodepulse.agent.collect.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code /proc/stat}. CPU times are in USER_HZ ticks, in the order of {@link #MODES}; modes a kernel
 * does not print are 0. Per-CPU lines exist only for online CPUs.
 *
 * @param total         ticks by mode summed over all CPUs (the {@code cpu} line)
 * @param cpus          one entry per online CPU
 * @param interrupts    {@code intr} total
 * @param contextSwitches {@code ctxt}
 * @param bootTimeSeconds {@code btime}, epoch seconds
 * @param forks         {@code processes}: processes and threads created since boot
 * @param running       {@code procs_running}
 * @param blocked       {@code procs_blocked}
 */
public record ProcStat(long[] total, List<CpuTicks> cpus, long interrupts, long contextSwitches,
                       long bootTimeSeconds, long forks, int running, int blocked) {

    /** The CPU modes kept, in column order. guest and guest_nice are already included in user and nice. */
    public static final List<String> MODES =
            List.of("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal");
    public static final int USER = 0;
    public static final int NICE = 1;
    public static final int SYSTEM = 2;
    public static final int IDLE = 3;
    public static final int IOWAIT = 4;
    public static final int IRQ = 5;
    public static final int SOFTIRQ = 6;
    public static final int STEAL = 7;

    /** USER_HZ: the unit of /proc/stat CPU times, 100 on every architecture Kubernetes runs on. */
    public static final double TICKS_PER_SECOND = 100.0;

    /** One online CPU's ticks by mode. */
    public record CpuTicks(int cpu, long[] ticks) {
    }

    public static ProcStat parse(String text) {
        long[] total = null;
        List<CpuTicks> cpus = new ArrayList<>();
        long intr = -1;
        long ctxt = -1;
        long btime = -1;
        long forks = -1;
        int running = -1;
        int blocked = -1;
        for (String line : Fields.lines(text)) {
            if (line.startsWith("cpu")) {
                String[] f = Fields.split(line);
                long[] ticks = ticks(f);
                if (f[0].equals("cpu")) {
                    total = ticks;
                } else {
                    cpus.add(new CpuTicks((int) Fields.unsigned(f[0].substring(3), "cpu number"), ticks));
                }
            } else if (line.startsWith("intr ")) {
                int end = line.indexOf(' ', 5);
                intr = Fields.unsigned(line.substring(5, end < 0 ? line.length() : end), "intr");
            } else if (line.startsWith("ctxt ")) {
                ctxt = Fields.unsigned(line.substring(5).strip(), "ctxt");
            } else if (line.startsWith("btime ")) {
                btime = Fields.unsigned(line.substring(6).strip(), "btime");
            } else if (line.startsWith("processes ")) {
                forks = Fields.unsigned(line.substring(10).strip(), "processes");
            } else if (line.startsWith("procs_running ")) {
                running = (int) Fields.unsigned(line.substring(14).strip(), "procs_running");
            } else if (line.startsWith("procs_blocked ")) {
                blocked = (int) Fields.unsigned(line.substring(14).strip(), "procs_blocked");
            }
        }
        if (total == null) {
            throw new IllegalArgumentException("no 'cpu' line in /proc/stat");
        }
        if (intr < 0 || ctxt < 0 || btime < 0 || forks < 0 || running < 0 || blocked < 0) {
            throw new IllegalArgumentException("/proc/stat lacks one of intr, ctxt, btime, processes, "
                    + "procs_running, procs_blocked");
        }
        return new ProcStat(total, List.copyOf(cpus), intr, ctxt, btime, forks, running, blocked);
    }

    private static long[] ticks(String[] f) {
        if (f.length < 5) {
            throw new IllegalArgumentException("short cpu line in /proc/stat: " + String.join(" ", f));
        }
        long[] t = new long[MODES.size()];
        for (int i = 0; i < t.length && i + 1 < f.length; i++) {
            t[i] = Fields.unsigned(f[i + 1], f[0] + " " + MODES.get(i));
        }
        return t;
    }
}
