package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Fields;
import io.nodepulse.agent.collect.parse.MountInfo;
import io.nodepulse.agent.collect.parse.NetDev;
import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.StatFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The checks behind {@link SelfCheck}: is each host prefix the host's, or a container's own view? */
final class HostViewCheck {
    /** Pid 1 of a container: the pause container, common init shims, a shell or the JVM itself. */
    private static final Set<String> CONTAINER_INITS =
            Set.of("pause", "tini", "dumb-init", "docker-init", "catatonit", "s6-svscan", "java", "sh", "bash");
    private static final Set<String> HOST_INITS = Set.of("systemd", "init");

    private final CollectSettings s;
    private final KernelFiles files;
    private final StatFs statFs;
    private final List<String> findings = new ArrayList<>();
    private boolean container;

    private HostViewCheck(CollectSettings settings, KernelFiles files, StatFs statFs) {
        this.s = settings;
        this.files = files;
        this.statFs = statFs;
    }

    /**
     * @param hardware a line describing the host's hardware, or null
     */
    static SelfCheck run(CollectSettings settings, KernelFiles files, StatFs statFs, String hardware) {
        HostViewCheck c = new HostViewCheck(settings, files, statFs);
        c.check();
        if (hardware != null) {
            c.findings.add(hardware);
        }
        return new SelfCheck(!c.container, c.findings);
    }

    private void container(String finding) {
        container = true;
        findings.add(SelfCheck.CONTAINER_VIEW + finding);
    }

    private void note(String finding) {
        findings.add(SelfCheck.NOTE + finding);
    }

    private void check() {
        boolean proc = prefix(s.proc(), "/proc", CollectSettings.HOST_PROC);
        boolean sys = prefix(s.sys(), "/sys", CollectSettings.HOST_SYS);
        boolean root = prefix(s.root(), "/", CollectSettings.HOST_ROOT);
        if (proc && !files.exists(s.proc().resolve("stat"))) {
            container(s.proc() + " is not a proc filesystem (it has no 'stat'): mount the host's /proc there");
            proc = false;
        }
        if (proc) {
            pidOne();
            MountInfo.Mount rootMount = rootMount();
            if (root && rootMount != null) {
                rootDevice(rootMount);
            }
            interfaces(sys);
            if (!readable(s.proc().resolve("pressure/cpu"))) {
                note("pressure stall information is not available (kernel without CONFIG_PSI, or booted with "
                        + "psi=0): the pressure family will be null");
            }
            if (!files.exists(s.proc().resolve("sys/kernel/random/boot_id"))) {
                note("cannot read " + s.proc().resolve("sys/kernel/random/boot_id")
                        + ": reboots are detected from the boot time instead");
            }
        }
        if (sys) {
            cgroups();
        }
    }

    private boolean readable(Path file) {
        try {
            files.read(file);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean prefix(Path p, String what, String key) {
        if (files.isDirectory(p)) {
            return true;
        }
        container(key + "=" + p + " does not exist: mount the host's " + what + " there (hostPath, read-only), "
                + "or set " + key + " to where it is mounted");
        return false;
    }

    private void pidOne() {
        Path comm = s.proc().resolve("1/comm");
        String name;
        try {
            name = Fields.firstLine(files.read(comm));
        } catch (IOException e) {
            container("cannot read " + comm + " (" + e.getMessage() + "): the host's pid 1 must be visible in "
                    + s.proc());
            return;
        }
        String self = null;
        try {
            self = Files.readSymbolicLink(s.proc().resolve("self")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            // Fixture trees and some proc mounts have no 'self'.
        }
        if ("1".equals(self) || CONTAINER_INITS.contains(name)) {
            container("pid 1 in " + s.proc() + " is '" + name + "', not the host's init: " + s.proc()
                    + " is a container's pid namespace; mount the host's /proc at " + s.proc());
        } else if (!HOST_INITS.contains(name)) {
            note("pid 1 in " + s.proc() + " is '" + name + "', not systemd or init; if that is not this host's "
                    + "init, " + s.proc() + " is not the host's /proc");
        }
    }

    /** The last mount on "/" in pid 1's mount table (later mounts hide earlier ones). */
    private MountInfo.Mount rootMount() {
        Path mi = s.proc().resolve("1/mountinfo");
        List<MountInfo.Mount> mounts;
        try {
            mounts = MountInfo.parse(files.read(mi));
        } catch (IOException | IllegalArgumentException e) {
            container("cannot read " + mi + " (" + e.getMessage() + "): filesystems cannot be collected");
            return null;
        }
        MountInfo.Mount rootMount = null;
        for (MountInfo.Mount m : mounts) {
            if (m.mountPoint().equals("/")) {
                rootMount = m;
            }
        }
        if (rootMount == null) {
            container(mi + " has no mount on /");
            return null;
        }
        if (rootMount.fsType().equals("overlay") || rootMount.fsType().equals("aufs")) {
            container("pid 1's root filesystem is " + rootMount.fsType() + ": " + mi
                    + " is a container's mount table; mount the host's /proc at " + s.proc());
        }
        return rootMount;
    }

    private void rootDevice(MountInfo.Mount rootMount) {
        Device d = statFs.device(s.root());
        if (d != null && !rootMount.fsType().equals("btrfs")
                && (d.major() != rootMount.major() || d.minor() != rootMount.minor())) {
            container(s.root() + " is on device " + d + " but the host's / is " + rootMount.major() + ":"
                    + rootMount.minor() + " (" + rootMount.source() + "): mount the host's / at " + s.root());
        }
    }

    private void interfaces(boolean sys) {
        Path dev = s.proc().resolve("1/net/dev");
        Set<String> names = new TreeSet<>();
        try {
            for (NetDev.Interface i : NetDev.parse(files.read(dev))) {
                names.add(i.name());
            }
        } catch (IOException | IllegalArgumentException e) {
            container("cannot read " + dev + " (" + e.getMessage() + "): interfaces cannot be collected");
            return;
        }
        if (!names.equals(Set.of("lo", "eth0"))) {
            return;
        }
        String peer = sys ? vethPeer("eth0") : null;
        if (peer != null) {
            container("pid 1's network namespace has only lo and eth0, and eth0 is one end of a veth pair ("
                    + peer + "): that is a pod's network; mount the host's /proc at " + s.proc());
        } else {
            note("pid 1's network namespace has only lo and eth0: usual for a small VM, but if this is a "
                    + "Kubernetes node with pods, " + s.proc() + " is not the host's /proc");
        }
    }

    /** "ifindex 3, peer 12" when the interface's link is another interface (a veth), else null. */
    private String vethPeer(String name) {
        Path dir = s.sys().resolve("class/net").resolve(name);
        try {
            String ifindex = Fields.firstLine(files.read(dir.resolve("ifindex")));
            String iflink = Fields.firstLine(files.read(dir.resolve("iflink")));
            return ifindex.equals(iflink) ? null : "ifindex " + ifindex + ", peer " + iflink;
        } catch (IOException e) {
            return null;
        }
    }

    private void cgroups() {
        Path cg = s.cgroupRoot();
        if (!files.exists(cg.resolve("cgroup.controllers"))) {
            note("cgroup v2 is not mounted at " + cg + " (cgroup v1 or hybrid hierarchy): pods are not collected");
            return;
        }
        if (!files.isDirectory(cg.resolve("kubepods.slice")) && !files.isDirectory(cg.resolve("kubepods"))) {
            note("no kubepods cgroup under " + cg + ": no pods are reported (not a Kubernetes node, or " + cg
                    + " is the container's own cgroup namespace; mount the host's /sys at " + s.sys() + ")");
            return;
        }
        if (!files.isDirectory(s.podLogDir())) {
            note(s.podLogDir() + " does not exist: pods are reported without namespace and name");
        }
    }
}
