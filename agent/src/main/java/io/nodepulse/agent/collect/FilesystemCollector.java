package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.MountInfo;
import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.FsStat;
import io.nodepulse.agent.collect.sys.StatFs;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's filesystems: the mount table of the host's init ({@code <proc>/1/mountinfo}, not the reader's
 * own, which is the container's), then statvfs of each mount point under the root prefix. Excluded: the
 * filesystem types and mount points the patterns name. A device mounted more than once (bind mounts) is
 * reported once, at its first mount of the filesystem's root. A mount whose path under the root prefix is on
 * another device than the mount table says (the mount is not visible there, e.g. it was made after the agent
 * started and the host root is mounted without propagation) is skipped rather than reported with the numbers
 * of the filesystem below it.
 */
final class FilesystemCollector implements Collector<List<Filesystem>> {
    private static final Logger LOG = LoggerFactory.getLogger(FilesystemCollector.class);

    private final CollectSettings settings;
    private final KernelFiles.Handle mountinfo;
    private final StatFs statFs;
    private final Set<String> warned = new HashSet<>();
    private String lastTable;
    private List<MountInfo.Mount> selected = List.of();

    FilesystemCollector(CollectSettings settings, KernelFiles files, StatFs statFs) {
        this.settings = settings;
        this.mountinfo = files.handle(settings.proc().resolve("1/mountinfo"));
        this.statFs = statFs;
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public List<Filesystem> collect(Cycle cycle) throws IOException {
        String table = cycle.text(mountinfo);
        if (!table.equals(lastTable)) {
            selected = select(MountInfo.parse(table), settings, this::visible);
            lastTable = table;
        }
        List<Filesystem> out = new ArrayList<>(selected.size());
        IOException firstFailure = null;
        for (MountInfo.Mount m : selected) {
            FsStat s;
            try {
                s = statFs.stat(path(m));
            } catch (IOException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                }
                warnOnce(m.mountPoint(), "skipped: " + e.getMessage());
                continue;
            }
            out.add(filesystem(m, s));
        }
        if (out.isEmpty() && firstFailure != null) {
            throw firstFailure;
        }
        return out;
    }

    /**
     * Whether the mount's path under the root prefix is on the device the mount table names. Checked when the
     * mount table changes, since that is when visibility can change. Btrfs reports per-subvolume devices in
     * stat(2), so its mounts are not checked.
     */
    private boolean visible(MountInfo.Mount m) {
        Path path;
        try {
            path = path(m);
        } catch (IOException e) {
            warnOnce(m.mountPoint(), "skipped: " + e.getMessage());
            return false;
        }
        Device d = m.fsType().equals("btrfs") ? null : statFs.device(path);
        if (d != null && (d.major() != m.major() || d.minor() != m.minor())) {
            warnOnce(m.mountPoint(), "skipped: " + path + " is on device " + d + " but the host mounts "
                    + m.major() + ":" + m.minor() + " there; the mount is not visible under " + settings.root()
                    + " (mount the host root with mountPropagation HostToContainer)");
            return false;
        }
        return true;
    }

    /** The mount point under the root prefix; a name this JVM cannot make a path of is an IOException. */
    private Path path(MountInfo.Mount m) throws IOException {
        try {
            return settings.underRoot(m.mountPoint());
        } catch (InvalidPathException e) {
            throw new IOException("the mount point is not a path in this JVM's file name encoding ("
                    + System.getProperty("sun.jnu.encoding") + "): " + e.getMessage() + "; run with LANG=C.UTF-8", e);
        }
    }

    static Filesystem filesystem(MountInfo.Mount m, FsStat s) {
        long size = s.fragmentSize() * s.blocks();
        long free = s.fragmentSize() * s.blocksFree();
        long avail = s.fragmentSize() * s.blocksAvailable();
        long used = Math.max(0, size - free);
        return Filesystem.newBuilder()
                .setMountPoint(m.mountPoint())
                .setDevice(m.source())
                .setFsType(m.fsType())
                .setSizeBytes(size)
                .setUsedBytes(used)
                .setAvailableBytes(avail)
                .setUsedRatio(used + avail == 0 ? 0.0 : used / (double) (used + avail))
                .setInodesTotal(s.files())
                .setInodesFree(s.filesFree())
                // the host's mount table only: statvfs also reports the flags of the pod's read-only mount
                // of the host root, so it would call the host's / read-only on every node
                .setReadOnly(m.readOnly())
                .build();
    }

    /**
     * Mounts after the type and mount-point exclusions, one visible mount per device, in mount-table order; a
     * mount of the device's root is preferred to a bind of a directory in it. A mount hidden by a later mount on
     * the same mount point is left out: statvfs there would describe the later one.
     */
    static List<MountInfo.Mount> select(List<MountInfo.Mount> mounts, CollectSettings settings,
                                        Predicate<MountInfo.Mount> visible) {
        Map<String, MountInfo.Mount> top = new HashMap<>();
        for (MountInfo.Mount m : mounts) {
            top.put(m.mountPoint(), m);
        }
        Map<String, List<MountInfo.Mount>> byDevice = new LinkedHashMap<>();
        for (MountInfo.Mount m : mounts) {
            if (top.get(m.mountPoint()) != m
                    || settings.fsTypeExclude().matcher(m.fsType()).find()
                    || settings.mountExclude().matcher(m.mountPoint()).find()) {
                continue;
            }
            byDevice.computeIfAbsent(m.major() + ":" + m.minor(), k -> new ArrayList<>()).add(m);
        }
        List<MountInfo.Mount> out = new ArrayList<>(byDevice.size());
        for (List<MountInfo.Mount> candidates : byDevice.values()) {
            candidates.sort(Comparator.comparing(m -> !m.root().equals("/")));
            for (MountInfo.Mount m : candidates) {
                if (visible.test(m)) {
                    out.add(m);
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    /** {@link #select(List, CollectSettings, Predicate)} with every mount visible. */
    static List<MountInfo.Mount> select(List<MountInfo.Mount> mounts, CollectSettings settings) {
        return select(mounts, settings, m -> true);
    }

    private void warnOnce(String mountPoint, String message) {
        if (warned.add(mountPoint)) {
            LOG.warn("filesystem {}: {}", mountPoint, message);
        }
    }

    @Override
    public void put(NodeMetrics.Builder event, List<Filesystem> family) {
        event.setFilesystems(family == null ? List.of() : family);
    }
}
