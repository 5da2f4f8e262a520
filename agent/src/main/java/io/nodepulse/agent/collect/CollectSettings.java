package io.nodepulse.agent.collect;

import io.nodepulse.config.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Where the host's files are and what collection leaves out. Immutable; {@code with*} return copies.
 * Exclusion patterns are searched in the name ({@link java.util.regex.Matcher#find()}), so anchor them; a
 * pattern that matches nothing, such as {@code ^$}, excludes nothing.
 */
public final class CollectSettings {
    public static final String HOST_PROC = "NODEPULSE_HOST_PROC";
    public static final String HOST_SYS = "NODEPULSE_HOST_SYS";
    public static final String HOST_ROOT = "NODEPULSE_HOST_ROOT";
    public static final String CGROUP_ROOT = "NODEPULSE_CGROUP_ROOT";
    public static final String POD_LOG_DIR = "NODEPULSE_POD_LOG_DIR";
    public static final String INTERFACE_EXCLUDE = "NODEPULSE_INTERFACE_EXCLUDE";
    public static final String DISK_EXCLUDE = "NODEPULSE_DISK_EXCLUDE";
    public static final String FS_TYPE_EXCLUDE = "NODEPULSE_FS_TYPE_EXCLUDE";
    public static final String MOUNT_EXCLUDE = "NODEPULSE_MOUNT_EXCLUDE";
    public static final String PER_CORE = "NODEPULSE_PER_CORE";
    public static final String COLLECTORS_DISABLED = "NODEPULSE_COLLECTORS_DISABLED";

    public static final String DEFAULT_PROC = "/host/proc";
    public static final String DEFAULT_SYS = "/host/sys";
    public static final String DEFAULT_ROOT = "/host/root";

    /**
     * Loopback, and the per-pod, overlay, tunnel and bridge interfaces of the usual CNIs (Calico, Flannel,
     * Cilium, Weave, kube-proxy IPVS, NodeLocal DNSCache), Docker, libvirt, traffic shaping and VLANs
     * ({@code eth0.100}): their traffic also crosses a physical interface, so node totals would count it twice.
     */
    public static final String DEFAULT_INTERFACE_EXCLUDE = "^(lo|veth.*|cali.*|flannel.*|cni.*|docker.*|br-.*"
            + "|lxc.*|cilium_.*|vxlan.*|tunl\\d+|genev_sys_.*|kube-ipvs\\d+|nodelocaldns|weave|vethwe.*|datapath"
            + "|virbr.*|ifb\\d+|.+\\.\\d+)$";
    /**
     * Partitions (their I/O is already in the whole disk's counters), device-mapper devices, software RAID
     * arrays and ZFS volumes (their I/O is also counted on the disks below them), and loop, RAM, zram, floppy,
     * optical and network (nbd, Ceph rbd) block devices, with their partitions.
     */
    public static final String DEFAULT_DISK_EXCLUDE =
            "^((ram|zram|fd|sr)\\d+|(loop|nbd|rbd|zd|md)\\d+(p\\d+)?|dm-\\d+|(h|s|v|xv)d[a-z]+\\d+"
                    + "|nvme\\d+n\\d+p\\d+|mmcblk\\d+(p\\d+|boot\\d+|rpmb))$";
    /**
     * Pseudo and in-memory filesystems, container layers (overlay), read-only images (squashfs, erofs,
     * iso9660), FUSE, and network filesystems, whose statvfs can hang while their server is away.
     */
    public static final String DEFAULT_FS_TYPE_EXCLUDE =
            "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|efivarfs|fusectl|fuse|fuse\\..*"
                    + "|hugetlbfs|iso9660|mqueue|nsfs|overlay|aufs|proc|procfs|pstore|ramfs|rootfs|rpc_pipefs"
                    + "|securityfs|selinuxfs|shm|squashfs|erofs|sysfs|tmpfs|tracefs|nfs|nfs4|cifs|smb3|ceph"
                    + "|glusterfs)$";
    /**
     * Kernel and runtime mounts, mounts inside the container runtimes' storage (not the storage itself), and
     * kubelet's pod volumes and CSI staging mounts (persistent volumes belong to pods, not to the node).
     */
    public static final String DEFAULT_MOUNT_EXCLUDE =
            "^/(dev|proc|sys|run/credentials|run/containerd|run/k3s|run/netns|run/docker)($|/)"
                    + "|^/var/lib/(docker|containerd|containers/storage|kubelet/pods|kubelet/plugins)/";

    /** Collector names, in the order they run. */
    public static final List<String> COLLECTORS = List.of("cpu", "memory", "load", "processes",
            "filedescriptors", "disk", "filesystem", "interface", "pressure", "clock", "thermal", "pod");

    private final Path proc;
    private final Path sys;
    private final Path root;
    private final Path cgroupRoot;
    private final Path podLogDir;
    private final Pattern interfaceExclude;
    private final Pattern diskExclude;
    private final Pattern fsTypeExclude;
    private final Pattern mountExclude;
    private final boolean perCore;
    private final Set<String> disabled;

    private CollectSettings(Path proc, Path sys, Path root, Path cgroupRoot, Path podLogDir, Pattern interfaceExclude,
                            Pattern diskExclude, Pattern fsTypeExclude, Pattern mountExclude, boolean perCore,
                            Set<String> disabled) {
        this.proc = proc;
        this.sys = sys;
        this.root = root;
        this.cgroupRoot = cgroupRoot;
        this.podLogDir = podLogDir;
        this.interfaceExclude = interfaceExclude;
        this.diskExclude = diskExclude;
        this.fsTypeExclude = fsTypeExclude;
        this.mountExclude = mountExclude;
        this.perCore = perCore;
        this.disabled = Set.copyOf(disabled);
    }

    /**
     * Reads the collection keys. Outside Kubernetes (no {@code KUBERNETES_SERVICE_HOST}) and without a
     * {@code /host/proc} mount, the host paths default to {@code /proc}, {@code /sys} and {@code /}.
     */
    public static CollectSettings fromConfig(ConfigReader r) {
        return fromConfig(r, Files::isDirectory);
    }

    static CollectSettings fromConfig(ConfigReader r, Predicate<Path> isDirectory) {
        boolean plainHost = !isSet(r, "KUBERNETES_SERVICE_HOST") && !isDirectory.test(Path.of(DEFAULT_PROC));
        Path proc = r.path(HOST_PROC, plainHost ? "/proc" : DEFAULT_PROC);
        Path sys = r.path(HOST_SYS, plainHost ? "/sys" : DEFAULT_SYS);
        Path root = r.path(HOST_ROOT, plainHost ? "/" : DEFAULT_ROOT);
        Path cgroupRoot = r.path(CGROUP_ROOT, sys.resolve("fs/cgroup").toString());
        Path podLogDir = r.path(POD_LOG_DIR, root.resolve("var/log/pods").toString());
        Pattern ifExclude = r.pattern(INTERFACE_EXCLUDE, DEFAULT_INTERFACE_EXCLUDE);
        Pattern diskExclude = r.pattern(DISK_EXCLUDE, DEFAULT_DISK_EXCLUDE);
        Pattern fsTypeExclude = r.pattern(FS_TYPE_EXCLUDE, DEFAULT_FS_TYPE_EXCLUDE);
        Pattern mountExclude = r.pattern(MOUNT_EXCLUDE, DEFAULT_MOUNT_EXCLUDE);
        boolean perCore = r.bool(PER_CORE, false);
        Set<String> disabled = new LinkedHashSet<>();
        String list = r.string(COLLECTORS_DISABLED, "");
        if (list != null) {
            for (String name : list.split(",")) {
                String n = name.strip();
                if (n.isEmpty()) {
                    continue;
                }
                if (COLLECTORS.contains(n)) {
                    disabled.add(n);
                } else {
                    r.problem(COLLECTORS_DISABLED + ": unknown collector '" + n + "'; known: "
                            + String.join(",", COLLECTORS));
                }
            }
        }
        for (Path p : List.of(proc, sys, root, cgroupRoot, podLogDir)) {
            if (!p.isAbsolute()) {
                r.problem("host path " + p + " is relative; give an absolute path");
            }
        }
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, ifExclude, diskExclude, fsTypeExclude,
                mountExclude, perCore, disabled);
    }

    private static boolean isSet(ConfigReader r, String name) {
        String v = r.raw(name);
        return v != null && !v.isBlank();
    }

    /** Default filters with the host's files under these three directories (fixture trees, a plain host). */
    public static CollectSettings forHostRoot(Path procDir, Path sysDir, Path rootDir) {
        return new CollectSettings(procDir, sysDir, rootDir, sysDir.resolve("fs/cgroup"),
                rootDir.resolve("var/log/pods"), Pattern.compile(DEFAULT_INTERFACE_EXCLUDE),
                Pattern.compile(DEFAULT_DISK_EXCLUDE), Pattern.compile(DEFAULT_FS_TYPE_EXCLUDE),
                Pattern.compile(DEFAULT_MOUNT_EXCLUDE), false, Set.of());
    }

    public CollectSettings withCgroupRoot(Path dir) {
        return new CollectSettings(proc, sys, root, dir, podLogDir, interfaceExclude, diskExclude, fsTypeExclude,
                mountExclude, perCore, disabled);
    }

    public CollectSettings withPodLogDir(Path dir) {
        return new CollectSettings(proc, sys, root, cgroupRoot, dir, interfaceExclude, diskExclude, fsTypeExclude,
                mountExclude, perCore, disabled);
    }

    public CollectSettings withPerCore(boolean on) {
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, interfaceExclude, diskExclude,
                fsTypeExclude, mountExclude, on, disabled);
    }

    public CollectSettings withInterfaceExclude(String regex) {
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, Pattern.compile(regex), diskExclude,
                fsTypeExclude, mountExclude, perCore, disabled);
    }

    public CollectSettings withDiskExclude(String regex) {
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, interfaceExclude, Pattern.compile(regex),
                fsTypeExclude, mountExclude, perCore, disabled);
    }

    public CollectSettings withFsTypeExclude(String regex) {
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, interfaceExclude, diskExclude,
                Pattern.compile(regex), mountExclude, perCore, disabled);
    }

    public CollectSettings withMountExclude(String regex) {
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, interfaceExclude, diskExclude,
                fsTypeExclude, Pattern.compile(regex), perCore, disabled);
    }

    /** Collectors that do not run (their families stay null or empty). */
    public CollectSettings withDisabled(String... names) {
        for (String n : names) {
            if (!COLLECTORS.contains(n)) {
                throw new IllegalArgumentException("unknown collector " + n + "; known: " + COLLECTORS);
            }
        }
        return new CollectSettings(proc, sys, root, cgroupRoot, podLogDir, interfaceExclude, diskExclude,
                fsTypeExclude, mountExclude, perCore, new LinkedHashSet<>(Arrays.asList(names)));
    }

    public Path proc() {
        return proc;
    }

    public Path sys() {
        return sys;
    }

    public Path root() {
        return root;
    }

    public Path cgroupRoot() {
        return cgroupRoot;
    }

    public Path podLogDir() {
        return podLogDir;
    }

    public Pattern interfaceExclude() {
        return interfaceExclude;
    }

    public Pattern diskExclude() {
        return diskExclude;
    }

    public Pattern fsTypeExclude() {
        return fsTypeExclude;
    }

    public Pattern mountExclude() {
        return mountExclude;
    }

    public boolean perCore() {
        return perCore;
    }

    public Set<String> disabled() {
        return disabled;
    }

    /** The host path of {@code hostPath} (absolute on the host) under the root prefix. */
    Path underRoot(String hostPath) {
        String rel = hostPath.startsWith("/") ? hostPath.substring(1) : hostPath;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("proc=" + proc);
        parts.add("sys=" + sys);
        parts.add("root=" + root);
        parts.add("cgroup=" + cgroupRoot);
        parts.add("podLogs=" + podLogDir);
        parts.add("perCore=" + perCore);
        if (!disabled.isEmpty()) {
            parts.add("disabled=" + disabled);
        }
        return "CollectSettings[" + String.join(", ", parts) + "]";
    }
}
