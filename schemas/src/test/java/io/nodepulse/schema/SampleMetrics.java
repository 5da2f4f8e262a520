package io.nodepulse.schema;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Complete, plausible NodeMetrics for tests: every family filled, counters growing with {@code seq}, rates
 * null on the first event of a run as the agent sends them. Deterministic for the same arguments.
 */
public final class SampleMetrics {
    public static final int INTERVAL_MS = 10_000;

    private SampleMetrics() {
    }

    public static NodeMetrics event(String cluster, String node, String bootId, String runId, long seq,
                                    Instant eventTime) {
        boolean first = seq == 1;
        double s = seq;
        int h = Math.floorMod(node.hashCode(), 50);
        Double busy = first ? null : 0.20 + h / 100.0 + (seq % 7) / 100.0;
        Cpu cpu = Cpu.newBuilder().setCount(4)
                .setUserSecondsTotal(1000 + 20 * s).setNiceSecondsTotal(1 + s / 100).setSystemSecondsTotal(400 + 8 * s)
                .setIdleSecondsTotal(9000 + 30 * s).setIowaitSecondsTotal(50 + s / 10).setIrqSecondsTotal(3 + s / 1000)
                .setSoftirqSecondsTotal(9 + s / 500).setStealSecondsTotal(0.5)
                .setUserRatio(first ? null : 0.5).setNiceRatio(first ? null : 0.0025)
                .setSystemRatio(first ? null : 0.2).setIdleRatio(first ? null : 0.75)
                .setIowaitRatio(first ? null : 0.0025).setIrqRatio(first ? null : 0.0)
                .setSoftirqRatio(first ? null : 0.0005).setStealRatio(first ? null : 0.0)
                .setBusyRatio(busy).setCores(null).build();
        Memory memory = Memory.newBuilder().setTotalBytes(16L << 30).setAvailableBytes((10L << 30) - seq * 4096)
                .setUsedBytes((6L << 30) + seq * 4096).setFreeBytes(4L << 30).setBuffersBytes(512L << 20)
                .setCachedBytes(5L << 30).setSwapTotalBytes(0).setSwapUsedBytes(0)
                .setSwapInPagesTotal(0).setSwapOutPagesTotal(0).setMajorFaultsTotal(100 + seq).setOomKillsTotal(0)
                .setSwapInPagesPerSec(first ? null : 0.0).setSwapOutPagesPerSec(first ? null : 0.0)
                .setMajorFaultsPerSec(first ? null : 0.1).setOomKillsPerSec(first ? null : 0.0).build();
        Load load = Load.newBuilder().setLoad1(1.5 + (seq % 5) / 10.0).setLoad5(1.2).setLoad15(1.0)
                .setUptimeSeconds(86_400 + s * 10).setBootTime(eventTime.minusSeconds(86_400 + seq * 10)).build();
        Processes processes = Processes.newBuilder().setProcesses(300).setThreads(1200).setRunning(2).setBlocked(0)
                .setForksTotal(100_000 + seq * 20).setContextSwitchesTotal(50_000_000 + seq * 40_000)
                .setInterruptsTotal(30_000_000 + seq * 20_000).setForksPerSec(first ? null : 2.0)
                .setContextSwitchesPerSec(first ? null : 4000.0).setInterruptsPerSec(first ? null : 2000.0).build();
        FileDescriptors fds = FileDescriptors.newBuilder().setAllocated(4096 + seq).setMax(9_223_372_036_854_775_807L)
                .build();
        List<Disk> disks = new ArrayList<>();
        for (String dev : List.of("sda", "nvme0n1")) {
            disks.add(Disk.newBuilder().setDevice(dev).setReadsTotal(1000 + seq * 5).setWritesTotal(2000 + seq * 9)
                    .setReadBytesTotal((1L << 30) + seq * 20_480).setWrittenBytesTotal((2L << 30) + seq * 40_960)
                    .setIoTimeSecondsTotal(100 + s * 0.1).setWeightedIoTimeSecondsTotal(200 + s * 0.2)
                    .setReadsPerSec(first ? null : 0.5).setWritesPerSec(first ? null : 0.9)
                    .setReadBytesPerSec(first ? null : 2048.0).setWrittenBytesPerSec(first ? null : 4096.0)
                    .setIoUtilization(first ? null : 0.01).setQueueDepth(first ? null : 0.02).build());
        }
        List<Filesystem> filesystems = new ArrayList<>();
        for (String mount : List.of("/", "/var/lib/kubelet")) {
            long size = 100L << 30;
            long used = (40L << 30) + seq * 1_048_576;
            filesystems.add(Filesystem.newBuilder().setMountPoint(mount).setDevice("/dev/sda1").setFsType("ext4")
                    .setSizeBytes(size).setUsedBytes(used).setAvailableBytes(size - used - (5L << 30))
                    .setUsedRatio((double) used / (size - (5L << 30))).setInodesTotal(6_553_600)
                    .setInodesFree(6_000_000 - seq).setReadOnly(false).build());
        }
        List<NetInterface> interfaces = new ArrayList<>();
        for (String name : List.of("eth0", "eth1")) {
            interfaces.add(NetInterface.newBuilder().setName(name)
                    .setRxBytesTotal(1_000_000 + seq * 50_000).setTxBytesTotal(2_000_000 + seq * 30_000)
                    .setRxPacketsTotal(10_000 + seq * 40).setTxPacketsTotal(20_000 + seq * 30)
                    .setRxErrorsTotal(0).setTxErrorsTotal(0).setRxDropsTotal(1).setTxDropsTotal(0)
                    .setRxBytesPerSec(first ? null : 5000.0).setTxBytesPerSec(first ? null : 3000.0)
                    .setRxPacketsPerSec(first ? null : 4.0).setTxPacketsPerSec(first ? null : 3.0)
                    .setRxErrorsPerSec(first ? null : 0.0).setTxErrorsPerSec(first ? null : 0.0)
                    .setRxDropsPerSec(first ? null : 0.0).setTxDropsPerSec(first ? null : 0.0).build());
        }
        Pressure pressure = Pressure.newBuilder().setCpuPressure(psi(seq, first, false))
                .setMemoryPressure(psi(seq, first, true)).setIoPressure(psi(seq, first, true)).build();
        TimeSync clock = TimeSync.newBuilder().setSynced(true).setOffsetSeconds(0.000_12).setMaxErrorSeconds(0.01)
                .setEstimatedErrorSeconds(0.000_5).setFrequencyPpm(-3.2).setStatus(0x2001).build();
        List<ThermalZone> thermal = List.of(ThermalZone.newBuilder().setZone("thermal_zone0").setType("x86_pkg_temp")
                .setCelsius(45 + (seq % 10)).build());
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pods.add(Pod.newBuilder().setUid(String.format("0000000%d-aaaa-bbbb-cccc-%012d", i, h))
                    .setNamespace("default").setName("web-" + i).setQosClass(i == 0 ? "guaranteed" : "burstable")
                    .setCpuUsageSecondsTotal(100 + s * 0.5 * (i + 1)).setCpuPeriodsTotal(10_000 + seq * 100)
                    .setCpuThrottledPeriodsTotal(seq).setCpuThrottledSecondsTotal(s * 0.01).setOomKillsTotal(0)
                    .setCpuUsageCores(first ? null : 0.05 * (i + 1)).setCpuThrottledRatio(first ? null : 0.01)
                    .setCpuLimitCores(i == 0 ? 1.0 : null).setMemoryCurrentBytes((200L << 20) + i)
                    .setMemoryWorkingSetBytes(150L << 20).setMemoryLimitBytes(i == 0 ? 512L << 20 : null).build());
        }
        List<CollectorResult> collectors = new ArrayList<>();
        for (String c : List.of("cpu", "memory", "load", "processes", "filedescriptors", "disk", "filesystem",
                "interface", "pressure", "clock", "thermal", "pod")) {
            collectors.add(CollectorResult.newBuilder().setName(c).setOk(true).setDurationMicros(150).build());
        }
        return NodeMetrics.newBuilder().setCluster(cluster).setNode(node).setBootId(bootId).setRunId(runId)
                .setSeq(seq).setEventTime(eventTime).setIntervalMs(INTERVAL_MS).setAgentVersion("test")
                .setKind(EventKind.SAMPLE).setCollectors(collectors).setCpu(cpu).setMemory(memory).setLoad(load)
                .setProcesses(processes).setFileDescriptors(fds).setDisks(disks).setFilesystems(filesystems)
                .setInterfaces(interfaces).setPressure(pressure).setClock(clock).setThermalZones(thermal)
                .setPods(pods).build();
    }

    private static PressureResource psi(long seq, boolean first, boolean full) {
        return PressureResource.newBuilder().setSomeAvg10(1.5).setSomeAvg60(1.2).setSomeAvg300(1.0)
                .setSomeStallSecondsTotal(100 + seq * 0.15).setSomeStallRatio(first ? null : 0.015)
                .setFullAvg10(full ? 0.5 : null).setFullAvg60(full ? 0.4 : null).setFullAvg300(full ? 0.3 : null)
                .setFullStallSecondsTotal(full ? 50 + seq * 0.05 : null)
                .setFullStallRatio(full && !first ? 0.005 : null).build();
    }
}
