package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Cgroup;
import io.nodepulse.agent.collect.parse.PodNames;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods from the cgroup v2 tree kubelet builds, with either cgroup driver (see {@link PodNames}); pod namespace
 * and name from the host's {@code /var/log/pods} directory names. Needs no API token. Per pod:
 * {@code cpu.stat} (usage, periods, throttling), {@code cpu.max}, {@code memory.current}, {@code memory.max},
 * {@code memory.stat} (inactive_file, for the working set as kubelet computes it) and {@code memory.events}
 * (oom_kill). A pod that goes away while being read is left out.
 */
final class PodCollector implements Collector<List<Pod>> {
    private static final int USAGE = 0;
    private static final int PERIODS = 1;
    private static final int THROTTLED = 2;

    /** One pod's cgroup directory and the files read from it every cycle. */
    static final class PodDir {
        final String uid;
        final String qos;
        final Path dir;
        final KernelFiles.Handle cpuStat;
        final KernelFiles.Handle cpuMax;
        final KernelFiles.Handle memoryCurrent;
        final KernelFiles.Handle memoryMax;
        final KernelFiles.Handle memoryStat;
        final KernelFiles.Handle memoryEvents;
        long pass;

        PodDir(String uid, String qos, Path dir) {
            this.uid = uid;
            this.qos = qos;
            this.dir = dir;
            this.cpuStat = new KernelFiles.Handle(dir.resolve("cpu.stat"));
            this.cpuMax = new KernelFiles.Handle(dir.resolve("cpu.max"));
            this.memoryCurrent = new KernelFiles.Handle(dir.resolve("memory.current"));
            this.memoryMax = new KernelFiles.Handle(dir.resolve("memory.max"));
            this.memoryStat = new KernelFiles.Handle(dir.resolve("memory.stat"));
            this.memoryEvents = new KernelFiles.Handle(dir.resolve("memory.events"));
        }
    }

    /** A cgroup driver's layout: the kubepods directory and its QoS sub-directories, with the pods seen in each. */
    private static final class Layout {
        final Path kubepods;
        final String burstableName;
        final String besteffortName;
        final Path burstable;
        final Path besteffort;
        final Map<String, PodDir> guaranteedPods = new HashMap<>();
        final Map<String, PodDir> burstablePods = new HashMap<>();
        final Map<String, PodDir> besteffortPods = new HashMap<>();

        Layout(Path kubepods, String burstableName, String besteffortName) {
            this.kubepods = kubepods;
            this.burstableName = burstableName;
            this.besteffortName = besteffortName;
            this.burstable = kubepods.resolve(burstableName);
            this.besteffort = kubepods.resolve(besteffortName);
        }
    }

    private final List<Layout> layouts;
    private final Path logDir;
    private final CounterState<String> state = new CounterState<>();
    private long pass;
    private Map<String, PodNames.PodRef> names = Map.of();
    private FileTime namesStamp;

    PodCollector(CollectSettings settings) {
        Path root = settings.cgroupRoot();
        this.layouts = List.of(
                new Layout(root.resolve("kubepods.slice"), "kubepods-burstable.slice", "kubepods-besteffort.slice"),
                new Layout(root.resolve("kubepods"), "burstable", "besteffort"));
        this.logDir = settings.podLogDir();
    }

    @Override
    public String name() {
        return "pod";
    }

    @Override
    public List<Pod> collect(Cycle cycle) throws IOException {
        pass++;
        List<PodDir> dirs = new ArrayList<>();
        for (Layout l : layouts) {
            if (cycle.isDirectory(l.kubepods)) {
                scan(cycle, l, dirs);
            }
            for (Map<String, PodDir> seen : List.of(l.guaranteedPods, l.burstablePods, l.besteffortPods)) {
                seen.values().removeIf(d -> d.pass != pass);
            }
        }
        if (dirs.isEmpty()) {
            state.clear();
            return List.of();
        }
        refreshNames(cycle);
        dirs.sort(Comparator.comparing(d -> d.uid));
        List<Pod> out = new ArrayList<>(dirs.size());
        state.begin();
        for (PodDir d : dirs) {
            Pod p = pod(cycle, d);
            if (p != null) {
                out.add(p);
            }
        }
        state.end();
        return out;
    }

    private void scan(Cycle cycle, Layout l, List<PodDir> out) throws IOException {
        for (String name : cycle.list(l.kubepods)) {
            if (name.equals(l.burstableName)) {
                scanQos(cycle, l.burstable, l.burstablePods, "burstable", out);
            } else if (name.equals(l.besteffortName)) {
                scanQos(cycle, l.besteffort, l.besteffortPods, "besteffort", out);
            } else {
                add(l.kubepods, l.guaranteedPods, name, "guaranteed", out);
            }
        }
    }

    private void scanQos(Cycle cycle, Path slice, Map<String, PodDir> seen, String qos, List<PodDir> out)
            throws IOException {
        String[] pods;
        try {
            pods = cycle.list(slice);
        } catch (NoSuchFileException e) {
            return;
        }
        for (String pod : pods) {
            add(slice, seen, pod, qos, out);
        }
    }

    private void add(Path parent, Map<String, PodDir> seen, String name, String qos, List<PodDir> out) {
        PodDir d = seen.get(name);
        if (d == null) {
            String uid = PodNames.podUid(name);
            if (uid == null) {
                return;
            }
            d = new PodDir(uid, qos, parent.resolve(name));
            seen.put(name, d);
        }
        d.pass = pass;
        out.add(d);
    }

    private Pod pod(Cycle cycle, PodDir d) throws IOException {
        String cpuStat;
        long now;
        try {
            cpuStat = cycle.readOnce(d.cpuStat);
            now = cycle.now();
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            Long usage = Cgroup.keyed(cpuStat, "usage_usec");
            if (usage == null) {
                throw new IOException("no usage_usec in " + d.cpuStat);
            }
            long periods = orZero(Cgroup.keyed(cpuStat, "nr_periods"));
            long throttled = orZero(Cgroup.keyed(cpuStat, "nr_throttled"));
            long throttledUsec = orZero(Cgroup.keyed(cpuStat, "throttled_usec"));
            String cpuMax = optional(cycle, d.cpuMax);
            Double cpuLimit = cpuMax == null ? null : Cgroup.cpuMax(cpuMax).cores();
            long memCurrent = Cgroup.number(cycle.readOnce(d.memoryCurrent), "memory.current");
            String memMax = optional(cycle, d.memoryMax);
            Long memLimit = memMax == null ? null : Cgroup.limit(memMax);
            String memStat = optional(cycle, d.memoryStat);
            long inactiveFile = memStat == null ? 0 : orZero(Cgroup.keyed(memStat, "inactive_file"));
            String events = optional(cycle, d.memoryEvents);
            long oomKills = events == null ? 0 : orZero(Cgroup.keyed(events, "oom_kill"));

            Delta delta = state.update(d.uid, now, new long[] {usage, periods, throttled, throttledUsec, oomKills});
            PodNames.PodRef ref = names.get(d.uid);
            return Pod.newBuilder()
                    .setUid(d.uid)
                    .setNamespace(ref == null ? null : ref.namespace())
                    .setName(ref == null ? null : ref.name())
                    .setQosClass(d.qos)
                    .setCpuUsageSecondsTotal(usage / 1e6)
                    .setCpuPeriodsTotal(periods)
                    .setCpuThrottledPeriodsTotal(throttled)
                    .setCpuThrottledSecondsTotal(throttledUsec / 1e6)
                    .setOomKillsTotal(oomKills)
                    .setCpuUsageCores(delta == null ? null : delta.perSecond(USAGE, 1e-6))
                    .setCpuThrottledRatio(delta == null ? null : throttledRatio(delta))
                    .setCpuLimitCores(cpuLimit)
                    .setMemoryCurrentBytes(memCurrent)
                    .setMemoryWorkingSetBytes(Math.max(0, memCurrent - inactiveFile))
                    .setMemoryLimitBytes(memLimit)
                    .build();
        } catch (NoSuchFileException e) {
            if (!cycle.exists(d.dir)) {
                return null; // the pod went away while being read
            }
            throw new IOException(e.getFile() + " is missing: is the memory controller enabled for kubepods?", e);
        }
    }

    /** Throttled periods over elapsed periods; 0 when no period elapsed (no CPU limit, or idle). */
    private static Double throttledRatio(Delta d) {
        long periods = d.diff(PERIODS);
        long throttled = d.diff(THROTTLED);
        if (periods < 0 || throttled < 0) {
            return null;
        }
        return periods == 0 ? 0.0 : Math.min(1.0, throttled / (double) periods);
    }

    /** A file that exists only when its controller is enabled; null when missing. */
    private static String optional(Cycle cycle, KernelFiles.Handle file) throws IOException {
        try {
            return cycle.readOnce(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    /** Re-reads the pod log directory names when the directory changed. */
    private void refreshNames(Cycle cycle) {
        FileTime stamp;
        try {
            stamp = Files.readAttributes(logDir, BasicFileAttributes.class).lastModifiedTime();
        } catch (IOException e) {
            names = Map.of();
            namesStamp = null;
            return;
        }
        if (stamp.equals(namesStamp)) {
            return;
        }
        Map<String, PodNames.PodRef> fresh = new HashMap<>();
        try {
            for (String n : cycle.list(logDir)) {
                PodNames.PodRef ref = PodNames.logDir(n);
                if (ref != null) {
                    fresh.put(ref.uid(), ref);
                }
            }
        } catch (IOException e) {
            return;
        }
        names = fresh;
        namesStamp = stamp;
    }

    @Override
    public void put(NodeMetrics.Builder event, List<Pod> family) {
        event.setPods(family == null ? List.of() : family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
