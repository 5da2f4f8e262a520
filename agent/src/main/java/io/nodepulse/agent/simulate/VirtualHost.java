package io.nodepulse.agent.simulate;

import io.nodepulse.agent.Sampler;
import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.Cpu;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.FileDescriptors;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.Load;
import io.nodepulse.schema.Memory;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import io.nodepulse.schema.Pressure;
import io.nodepulse.schema.PressureResource;
import io.nodepulse.schema.Processes;
import io.nodepulse.schema.ThermalZone;
import io.nodepulse.schema.TimeSync;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A simulated machine: the synthetic stand-in for the agent's collectors ({@link Sampler}). The rest of the
 * path (stamping, encoding, spool, producer) is the agent's own.
 * <p>
 * The machine keeps running between readings: its counters grow by rate × elapsed time from boot on, so each
 * reading's counters equal the previous reading's plus its rates times the gap between them. Rates are null in
 * the first reading of an agent run ({@link #startRun()}), as the agent has no earlier reading then, and for a
 * pod seen for the first time. Load follows a daily curve (peak around 14:00 UTC, shifted per node), with
 * bursts; CPU, load, network, disk I/O and pressure move together; filesystems fill up and are cleaned up;
 * pods end and are replaced. A {@link Fault} keeps one problem going. Deterministic for a seed and the same
 * sequence of calls.
 */
public final class VirtualHost implements Sampler {
    static final long GIB = 1L << 30;
    private static final long PAGE = 4096;
    private static final double HOUR_MS = 3_600_000.0;
    private static final String[] COLLECTORS = {"cpu", "memory", "load", "processes", "filedescriptors", "disk",
        "filesystem", "interface", "pressure", "clock", "thermal", "pod"};
    private static final String[][] APPS = {
        {"default", "api"}, {"default", "web"}, {"shop", "checkout"}, {"shop", "cart"}, {"shop", "orders"},
        {"shop", "inventory"}, {"search", "search"}, {"search", "indexer"}, {"auth", "auth"},
        {"payments", "payments"}, {"data", "redis"}, {"data", "kafka-consumer"}, {"batch", "worker"},
        {"ml", "recommender"}, {"ingress-nginx", "ingress-nginx-controller"}, {"monitoring", "prometheus"},
        {"monitoring", "grafana"}, {"logging", "fluent-bit"}, {"cert-manager", "cert-manager"},
        {"kube-system", "coredns"}};
    private static final String[][] DAEMONS = {{"kube-system", "kube-proxy"}, {"kube-system", "aws-node"},
        {"kube-system", "ebs-csi-node"}, {"monitor", "nodepulse-agent"}};

    private final Shape shape;
    private final Fault fault;
    private final SplittableRandom rnd;

    // what kind of machine this is
    private final int cpus;
    private final long memTotal;
    private final double baseBusy;
    private final double baseMemory;
    private final double phaseHours;
    private final double netBase;
    private final double txShare;
    private final double ppm;

    // boot and agent run
    private String bootId;
    private long bootMs;
    private long lastMs;
    private boolean haveReading;

    // bursts
    private long burstUntil;
    private double burstBusy;
    private double burstNet = 1;

    // counters since boot and smoothed gauges
    private final double[] cpuSeconds = new double[8];
    private long swapIn;
    private long swapOut;
    private long majorFaults;
    private long oomKills;
    private long forks;
    private long contextSwitches;
    private long interrupts;
    private double load1;
    private double load5;
    private double load15;
    private final Psi cpuPsi = new Psi();
    private final Psi memoryPsi = new Psi();
    private final Psi ioPsi = new Psi();
    private final DiskState[] disks;
    private final FsState[] filesystems;
    private final NetState[] interfaces;
    private final PodState[] pods;

    private static final int USER = 0;
    private static final int NICE = 1;
    private static final int SYSTEM = 2;
    private static final int IDLE = 3;
    private static final int IOWAIT = 4;
    private static final int IRQ = 5;
    private static final int SOFTIRQ = 6;
    private static final int STEAL = 7;

    /**
     * @param seed      all randomness of this host comes from it
     * @param now       when the host comes into being (simulated time)
     * @param freshBoot true for a node that just joined the cluster (booted a minute or two ago); false for a
     *                  node that has been up for hours or days
     */
    public VirtualHost(Shape shape, Fault fault, long seed, Instant now, boolean freshBoot) {
        this.shape = shape;
        this.fault = fault;
        this.rnd = new SplittableRandom(seed);
        double p = rnd.nextDouble();
        cpus = p < 0.05 ? 2 : p < 0.35 ? 4 : p < 0.70 ? 8 : p < 0.90 ? 16 : p < 0.98 ? 32 : 64;
        long perCpu = rnd.nextBoolean() ? 4 * GIB : 8 * GIB;
        memTotal = pages(cpus * perCpu * 0.96);
        baseBusy = 0.08 + 0.32 * rnd.nextDouble();
        baseMemory = 0.25 + 0.35 * rnd.nextDouble();
        phaseHours = clamp(rnd.nextGaussian() * 1.5, -4, 4);
        netBase = Math.exp(Math.log(2e6) + rnd.nextDouble() * Math.log(30));
        txShare = 0.4 + 0.5 * rnd.nextDouble();
        ppm = -20 + 40 * rnd.nextDouble();
        long t = now.toEpochMilli();
        long uptime = freshBoot ? 60_000 + rnd.nextLong(120_000)
                : (long) (HOUR_MS + rnd.nextDouble() * 40 * 24 * HOUR_MS);
        disks = new DiskState[shape.disks()];
        for (int i = 0; i < disks.length; i++) {
            disks[i] = new DiskState(i);
        }
        filesystems = new FsState[shape.filesystems()];
        for (int i = 0; i < filesystems.length; i++) {
            filesystems[i] = new FsState(i);
        }
        interfaces = new NetState[shape.interfaces()];
        for (int i = 0; i < interfaces.length; i++) {
            interfaces[i] = new NetState(i);
        }
        pods = new PodState[shape.pods()];
        boot(t - uptime);
        for (int i = 0; i < pods.length; i++) {
            pods[i] = newPod(i, t, true);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** An agent run starts: its first reading has no rates. */
    public void startRun() {
        haveReading = false;
    }

    /**
     * The machine reboots and is up again at {@code up}, with a new boot id and every counter starting again
     * from zero. Filesystems keep their data; pods keep their identity, their counters start again.
     */
    public void reboot(Instant up) {
        boot(up.toEpochMilli());
        haveReading = false;
    }

    /** Counters start at zero; the first reading adds everything since boot at the load of that moment. */
    private void boot(long at) {
        bootMs = at;
        bootId = uuid(rnd).toString();
        lastMs = at;
        burstUntil = 0;
        burstBusy = 0;
        burstNet = 1;
        java.util.Arrays.fill(cpuSeconds, 0);
        swapIn = 0;
        swapOut = 0;
        majorFaults = 0;
        oomKills = 0;
        forks = 0;
        contextSwitches = 0;
        interrupts = 0;
        for (DiskState d : disks) {
            d.reset();
        }
        for (NetState n : interfaces) {
            n.reset();
        }
        for (PodState pod : pods) {
            if (pod != null) {
                pod.reset();
            }
        }
        double settle = busyAt(at);
        load1 = load5 = load15 = settle * cpus;
        cpuPsi.boot(cpuStall(settle));
        memoryPsi.boot(memoryStall(memoryRatioAt(at)));
        ioPsi.boot(ioStall(0.05));
    }

    public String bootId() {
        return bootId;
    }

    public Instant bootTime() {
        return Instant.ofEpochMilli(bootMs);
    }

    public Fault fault() {
        return fault;
    }

    public int cpus() {
        return cpus;
    }

    public long memoryTotalBytes() {
        return memTotal;
    }

    // ------------------------------------------------------------------ the reading

    @Override
    public NodeMetrics.Builder sample(Instant tick) {
        long t = tick.toEpochMilli();
        if (t <= lastMs) {
            throw new IllegalArgumentException("reading at " + tick + " is not after the previous one at "
                    + Instant.ofEpochMilli(lastMs));
        }
        double dt = (t - lastMs) / 1000.0;
        boolean rates = haveReading;
        updateBurst(t, dt);
        double busy = busyAt(t) + (t < burstUntil ? burstBusy : 0);
        busy = fault == Fault.CPU_HOG ? clamp(0.94 + 0.05 * rnd.nextDouble(), 0, 0.995)
                : clamp(busy + rnd.nextGaussian() * 0.02, 0.01, 0.97);
        double memRatio = memoryRatioAt(t);
        double ioLoad = ioLoadAt(t);

        NodeMetrics.Builder b = NodeMetrics.newBuilder().setBootId(bootId);
        List<Disk> diskList = new ArrayList<>(disks.length);
        double utilSum = 0;
        for (DiskState d : disks) {
            Disk disk = d.read(dt, rates, ioLoad);
            utilSum += d.util;
            diskList.add(disk);
        }
        double util = disks.length == 0 ? 0 : utilSum / disks.length;
        double iowaitShare = Math.min(1 - busy, (fault == Fault.IO_HOG ? 0.25 : 0.01) + 0.04 * util);
        b.setCpu(cpu(dt, rates, busy, iowaitShare));
        long available = pages(memTotal * (1 - memRatio));
        b.setMemory(memory(dt, rates, available));
        double blocked = iowaitShare * cpus * 2;
        b.setLoad(load(t, dt, busy * cpus * (1 + 0.1 * rnd.nextGaussian()) + blocked));
        b.setProcesses(processes(dt, rates, busy, blocked));
        b.setFileDescriptors(FileDescriptors.newBuilder()
                .setAllocated(Math.max(100, 2000 + 150L * pods.length + Math.round(rnd.nextGaussian() * 50)))
                .setMax(Long.MAX_VALUE).build());
        b.setDisks(diskList);
        List<Filesystem> fsList = new ArrayList<>(filesystems.length);
        for (FsState f : filesystems) {
            fsList.add(f.read(t, dt));
        }
        b.setFilesystems(fsList);
        double net = (0.25 + 0.75 * diurnal(t)) * (t < burstUntil ? burstNet : 1);
        List<NetInterface> netList = new ArrayList<>(interfaces.length);
        for (NetState n : interfaces) {
            netList.add(n.read(dt, rates, net));
        }
        b.setInterfaces(netList);
        b.setPressure(Pressure.newBuilder()
                .setCpuPressure(cpuPsi.read(dt, rates, cpuStall(busy), false))
                .setMemoryPressure(memoryPsi.read(dt, rates, memoryStall(memRatio), true))
                .setIoPressure(ioPsi.read(dt, rates, ioStall(util), true)).build());
        b.setClock(TimeSync.newBuilder().setSynced(true).setOffsetSeconds(rnd.nextGaussian() * 0.0002)
                .setMaxErrorSeconds(0.001 + 0.02 * rnd.nextDouble()).setEstimatedErrorSeconds(0.0001 + 0.001
                        * rnd.nextDouble()).setFrequencyPpm(ppm + rnd.nextGaussian() * 0.05).setStatus(0x2001).build());
        List<ThermalZone> zones = new ArrayList<>(shape.thermalZones());
        for (int i = 0; i < shape.thermalZones(); i++) {
            zones.add(ThermalZone.newBuilder().setZone("thermal_zone" + i).setType(i == 0 ? "x86_pkg_temp" : "acpitz")
                    .setCelsius(Math.round((35 - 5 * i + 45 * busy + rnd.nextGaussian()) * 1000) / 1000.0).build());
        }
        b.setThermalZones(zones);
        b.setPods(pods(t, dt, rates, busy, memTotal - available));
        b.setCollectors(collectors());
        lastMs = t;
        haveReading = true;
        return b;
    }

    private List<CollectorResult> collectors() {
        List<CollectorResult> out = new ArrayList<>(COLLECTORS.length);
        for (String c : COLLECTORS) {
            long micros = switch (c) {
                case "pod" -> 200 + 40L * pods.length;
                case "filesystem" -> 60 + 30L * filesystems.length;
                case "clock" -> 15;
                default -> 30 + rnd.nextInt(60);
            };
            out.add(CollectorResult.newBuilder().setName(c).setOk(true).setDurationMicros(micros).build());
        }
        return out;
    }

    // ------------------------------------------------------------------ activity

    /** 0 at night, 1 at the daily peak (around 14:00 UTC, shifted per node). */
    private double diurnal(long t) {
        double hour = t / HOUR_MS + phaseHours;
        return 0.5 * (1 + Math.cos(2 * Math.PI * (hour - 14) / 24));
    }

    private double busyAt(long t) {
        return baseBusy * (0.35 + 0.9 * diurnal(t));
    }

    private double memoryRatioAt(long t) {
        if (fault == Fault.MEMORY_PRESSURE) {
            return 0.93 + 0.04 * rnd.nextDouble();
        }
        return clamp(baseMemory + 0.12 * diurnal(t) + rnd.nextGaussian() * 0.01, 0.05, 0.9);
    }

    private double ioLoadAt(long t) {
        double l = (0.3 + 0.7 * diurnal(t)) * (t < burstUntil ? 1 + burstBusy * 3 : 1);
        return fault == Fault.IO_HOG ? l * 4 : l;
    }

    /** Bursts start about every 45 minutes and last 1 to 6 minutes. */
    private void updateBurst(long t, double dt) {
        if (t >= burstUntil && rnd.nextDouble() < 1 - Math.exp(-dt / 2700)) {
            burstUntil = t + 60_000 + rnd.nextLong(300_000);
            burstBusy = 0.1 + 0.3 * rnd.nextDouble();
            burstNet = 1.5 + 2.5 * rnd.nextDouble();
        }
    }

    private double cpuStall(double busy) {
        return fault == Fault.CPU_HOG ? 0.30 + 0.15 * rnd.nextDouble() : 0.002 + Math.max(0, busy - 0.55) * 0.5;
    }

    private double memoryStall(double memRatio) {
        return fault == Fault.MEMORY_PRESSURE ? 0.15 + 0.15 * rnd.nextDouble()
                : 0.0005 + Math.max(0, memRatio - 0.8) * 0.2;
    }

    private double ioStall(double util) {
        return fault == Fault.IO_HOG ? 0.35 + 0.2 * rnd.nextDouble() : 0.002 + util * 0.08;
    }

    // ------------------------------------------------------------------ families

    /** Shares of the eight modes for a busy ratio; they sum to 1. */
    private static double[] shares(double busy, double iowait) {
        double[] s = new double[8];
        s[STEAL] = busy * 0.03;
        s[IRQ] = busy * 0.01;
        s[SOFTIRQ] = busy * 0.05;
        s[NICE] = busy * 0.01;
        s[SYSTEM] = busy * 0.22;
        s[USER] = busy - s[STEAL] - s[IRQ] - s[SOFTIRQ] - s[NICE] - s[SYSTEM];
        s[IOWAIT] = Math.min(iowait, 1 - busy);
        s[IDLE] = Math.max(0, 1 - busy - s[IOWAIT]);
        return s;
    }

    private Cpu cpu(double dt, boolean rates, double busy, double iowait) {
        double[] s = shares(busy, iowait);
        double[] inc = new double[8];
        double total = 0;
        for (int m = 0; m < 8; m++) {
            inc[m] = s[m] * cpus * dt;
            cpuSeconds[m] += inc[m];
            total += inc[m];
        }
        Cpu.Builder c = Cpu.newBuilder().setCount(cpus)
                .setUserSecondsTotal(cpuSeconds[USER]).setNiceSecondsTotal(cpuSeconds[NICE])
                .setSystemSecondsTotal(cpuSeconds[SYSTEM]).setIdleSecondsTotal(cpuSeconds[IDLE])
                .setIowaitSecondsTotal(cpuSeconds[IOWAIT]).setIrqSecondsTotal(cpuSeconds[IRQ])
                .setSoftirqSecondsTotal(cpuSeconds[SOFTIRQ]).setStealSecondsTotal(cpuSeconds[STEAL]).setCores(null);
        if (rates && total > 0) {
            double idle = inc[IDLE] / total;
            double wait = inc[IOWAIT] / total;
            c.setUserRatio(inc[USER] / total).setNiceRatio(inc[NICE] / total).setSystemRatio(inc[SYSTEM] / total)
                    .setIdleRatio(idle).setIowaitRatio(wait).setIrqRatio(inc[IRQ] / total)
                    .setSoftirqRatio(inc[SOFTIRQ] / total).setStealRatio(inc[STEAL] / total)
                    .setBusyRatio(Math.max(0.0, 1.0 - idle - wait));
        } else {
            c.setUserRatio(null).setNiceRatio(null).setSystemRatio(null).setIdleRatio(null).setIowaitRatio(null)
                    .setIrqRatio(null).setSoftirqRatio(null).setStealRatio(null).setBusyRatio(null);
        }
        return c.build();
    }

    private Memory memory(double dt, boolean rates, long available) {
        long buffers = pages(available * 0.03);
        long cached = pages(available * 0.6);
        long free = Math.max(0, available - buffers - pages(cached * 0.9));
        double faultRate = fault == Fault.MEMORY_PRESSURE ? 80 + 320 * rnd.nextDouble()
                : (0.2 + 3 * rnd.nextDouble());
        long dFaults = count(faultRate, dt);
        majorFaults += dFaults;
        long dOom = 0;
        if (fault == Fault.MEMORY_PRESSURE && rnd.nextDouble() < 1 - Math.exp(-dt / 600)) {
            dOom = 1;
            oomKills++;
            if (pods.length > 0) {
                pods[rnd.nextInt(pods.length)].oomKills++;
            }
        }
        return Memory.newBuilder().setTotalBytes(memTotal).setAvailableBytes(available)
                .setUsedBytes(memTotal - available).setFreeBytes(free).setBuffersBytes(buffers)
                .setCachedBytes(cached).setSwapTotalBytes(0).setSwapUsedBytes(0)
                .setSwapInPagesTotal(swapIn).setSwapOutPagesTotal(swapOut).setMajorFaultsTotal(majorFaults)
                .setOomKillsTotal(oomKills)
                .setSwapInPagesPerSec(rates ? 0.0 : null).setSwapOutPagesPerSec(rates ? 0.0 : null)
                .setMajorFaultsPerSec(rates ? dFaults / dt : null).setOomKillsPerSec(rates ? dOom / dt : null)
                .build();
    }

    private Load load(long t, double dt, double target) {
        target = Math.max(0, target);
        load1 = ewma(load1, target, dt, 60);
        load5 = ewma(load5, target, dt, 300);
        load15 = ewma(load15, target, dt, 900);
        return Load.newBuilder().setLoad1(round2(load1)).setLoad5(round2(load5)).setLoad15(round2(load15))
                .setUptimeSeconds((t - bootMs) / 1000.0).setBootTime(Instant.ofEpochMilli(bootMs)).build();
    }

    private Processes processes(double dt, boolean rates, double busy, double blocked) {
        int procs = (int) Math.max(50, 180 + 5L * pods.length + Math.round(rnd.nextGaussian() * 5));
        int threads = (int) (procs * (3.5 + rnd.nextDouble()));
        int running = (int) Math.min(procs, Math.max(1, Math.round(busy * cpus * 1.1 + rnd.nextGaussian())));
        long dForks = count(3 + 15 * busy + rnd.nextDouble() * 5, dt);
        long dCtx = count(cpus * (1500 + 6000 * busy), dt);
        long dIrq = count(cpus * (900 + 3600 * busy), dt);
        forks += dForks;
        contextSwitches += dCtx;
        interrupts += dIrq;
        return Processes.newBuilder().setProcesses(procs).setThreads(threads).setRunning(running)
                .setBlocked((int) Math.round(blocked)).setForksTotal(forks).setContextSwitchesTotal(contextSwitches)
                .setInterruptsTotal(interrupts).setForksPerSec(rates ? dForks / dt : null)
                .setContextSwitchesPerSec(rates ? dCtx / dt : null).setInterruptsPerSec(rates ? dIrq / dt : null)
                .build();
    }

    private List<Pod> pods(long t, double dt, boolean rates, double busy, long usedMemory) {
        double cpuWeights = 0;
        double memWeights = 0;
        for (int i = 0; i < pods.length; i++) {
            if (t >= pods[i].endsAt) {
                // a replacement starts a few seconds after its predecessor ended
                pods[i] = newPod(i, Math.min(t, pods[i].endsAt + 3000), false);
            }
            cpuWeights += pods[i].cpuWeight;
            memWeights += pods[i].memWeight;
        }
        double podCores = 0.85 * busy * cpus;
        List<Pod> out = new ArrayList<>(pods.length);
        for (PodState p : pods) {
            // a pod's counters run from its start; one new since the last reading has no rates yet
            double podDt = Math.min(dt, Math.max(0.001, (t - p.startMs) / 1000.0));
            out.add(p.read(podDt, rates && !p.fresh, podCores * p.cpuWeight / cpuWeights,
                    0.75 * usedMemory * p.memWeight / memWeights));
            p.fresh = false;
        }
        return out;
    }

    private PodState newPod(int slot, long t, boolean initial) {
        PodState p = new PodState();
        String[] app;
        if (slot < Math.min(DAEMONS.length, pods.length / 4 + 1)) {
            app = DAEMONS[slot];
            p.name = app[1] + "-" + suffix(5);
        } else {
            app = APPS[rnd.nextInt(APPS.length)];
            p.name = app[1] + "-" + hex(10) + "-" + suffix(5);
        }
        p.namespace = app[0];
        p.uid = uuid(rnd).toString();
        p.cpuWeight = Math.exp(rnd.nextGaussian());
        p.memWeight = Math.exp(rnd.nextGaussian());
        p.workingShare = 0.7 + 0.25 * rnd.nextDouble();
        double q = rnd.nextDouble();
        if (q < 0.2) {
            p.qos = "guaranteed";
            p.cpuLimit = 0.25 * (1 + rnd.nextInt(8));
            p.memLimit = (long) (512L << 20) * (1 + rnd.nextInt(8));
        } else if (q < 0.8) {
            p.qos = "burstable";
            p.cpuLimit = rnd.nextBoolean() ? 0.5 * (1 + rnd.nextInt(4)) : null;
            p.memLimit = rnd.nextDouble() < 0.7 ? (long) (256L << 20) * (2 + rnd.nextInt(15)) : null;
        } else {
            p.qos = "besteffort";
        }
        // pods live six hours on average; the first ones are part-way through their lives
        double life = -Math.log(1 - rnd.nextDouble()) * 6 * HOUR_MS;
        p.endsAt = t + (long) (initial ? life * rnd.nextDouble() : life) + 60_000;
        p.fresh = !initial;
        p.startMs = initial ? Math.max(bootMs, t - (long) (rnd.nextDouble() * 24 * HOUR_MS)) : t;
        return p;
    }

    // ------------------------------------------------------------------ per-device state

    private final class DiskState {
        final String device;
        final double readIops;
        final double writeIops;
        final double readSize;
        final double writeSize;
        final double serviceTime;
        long reads;
        long writes;
        long readBytes;
        long writtenBytes;
        double ioTime;
        double weightedIoTime;
        double util;

        DiskState(int i) {
            device = "nvme" + i + "n1";
            double scale = i == 0 ? 0.2 : 1;
            readIops = scale * (10 + 200 * rnd.nextDouble());
            writeIops = scale * (20 + 300 * rnd.nextDouble());
            readSize = 16384 + rnd.nextInt(49152);
            writeSize = 32768 + rnd.nextInt(98304);
            serviceTime = 0.0003 + 0.0012 * rnd.nextDouble();
        }

        void reset() {
            reads = writes = readBytes = writtenBytes = 0;
            ioTime = weightedIoTime = 0;
        }

        Disk read(double dt, boolean rates, double load) {
            double noise = Math.exp(rnd.nextGaussian() * 0.15);
            long dReads = count(readIops * load * noise, dt);
            long dWrites = count(writeIops * load * noise, dt);
            long dReadBytes = Math.round(dReads * readSize);
            long dWritten = Math.round(dWrites * writeSize);
            util = fault == Fault.IO_HOG ? 0.97 + 0.025 * rnd.nextDouble()
                    : Math.min(0.98, (dReads + dWrites) / dt * serviceTime);
            double queue = fault == Fault.IO_HOG ? 8 + 22 * rnd.nextDouble() : util * (1 + 3 * util);
            double dIo = util * dt;
            double dWeighted = queue * dt;
            reads += dReads;
            writes += dWrites;
            readBytes += dReadBytes;
            writtenBytes += dWritten;
            ioTime += dIo;
            weightedIoTime += dWeighted;
            return Disk.newBuilder().setDevice(device).setReadsTotal(reads).setWritesTotal(writes)
                    .setReadBytesTotal(readBytes).setWrittenBytesTotal(writtenBytes).setIoTimeSecondsTotal(ioTime)
                    .setWeightedIoTimeSecondsTotal(weightedIoTime)
                    .setReadsPerSec(rates ? dReads / dt : null).setWritesPerSec(rates ? dWrites / dt : null)
                    .setReadBytesPerSec(rates ? dReadBytes / dt : null)
                    .setWrittenBytesPerSec(rates ? dWritten / dt : null)
                    .setIoUtilization(rates ? Math.min(1.0, dIo / dt) : null)
                    .setQueueDepth(rates ? dWeighted / dt : null).build();
        }
    }

    private final class FsState {
        final String mountPoint;
        final String device;
        final String fsType;
        final long size;
        final long reserved;
        final long inodes;
        final double fillPerDay;
        final boolean full;
        long used;

        FsState(int i) {
            mountPoint = switch (i) {
                case 0 -> "/";
                case 1 -> "/var/lib/kubelet";
                case 2 -> "/var/lib/containerd";
                default -> "/mnt/data" + (i - 2);
            };
            device = disks.length == 0 ? "/dev/root" : "/dev/nvme" + (i % disks.length) + "n1p1";
            fsType = i < 2 ? "ext4" : "xfs";
            long gib = switch (i) {
                case 0 -> 30 + rnd.nextInt(170);
                case 1, 2 -> 100 + rnd.nextInt(400);
                default -> 1024L * (1 + rnd.nextInt(4));
            };
            size = gib * GIB;
            reserved = fsType.equals("ext4") ? size / 20 : 0;
            inodes = size / (fsType.equals("ext4") ? 16384 : 65536);
            full = fault == Fault.FILESYSTEM_FULL && i == Math.min(2, shape.filesystems() - 1);
            fillPerDay = full ? 0.004 : 0.01 + 0.07 * rnd.nextDouble();
            double ratio = full ? 0.91 + 0.04 * rnd.nextDouble() : 0.2 + 0.5 * rnd.nextDouble();
            used = (long) ((size - reserved) * ratio);
        }

        Filesystem read(long t, double dt) {
            long usable = size - reserved;
            long grow = (long) (usable * fillPerDay * Math.min(dt, 3600) / 86_400 * (0.5 + diurnal(t)) * (1 + rnd.nextGaussian() * 0.2));
            used = Math.max(0, Math.min(usable, used + grow));
            double ratio = used / (double) usable;
            if (full && ratio > 0.98) {
                used = (long) (usable * 0.96);
            } else if (!full && ratio > 0.85) {
                // image garbage collection and log rotation free space
                used = (long) (usable * (0.55 + 0.15 * rnd.nextDouble()));
            }
            long available = Math.max(0, size - reserved - used);
            long inodesFree = Math.max(0, inodes - used / 262_144 - 20_000);
            return Filesystem.newBuilder().setMountPoint(mountPoint).setDevice(device).setFsType(fsType)
                    .setSizeBytes(size).setUsedBytes(used).setAvailableBytes(available)
                    .setUsedRatio(used + available == 0 ? 0.0 : used / (double) (used + available))
                    .setInodesTotal(inodes).setInodesFree(Math.min(inodes, inodesFree)).setReadOnly(false).build();
        }
    }

    private final class NetState {
        final String name;
        final double share;
        long rxBytes;
        long txBytes;
        long rxPackets;
        long txPackets;
        long rxErrors;
        long txErrors;
        long rxDrops;
        long txDrops;

        NetState(int i) {
            name = "eth" + i;
            share = i == 0 ? 1 : 0.1 + 0.2 * rnd.nextDouble();
        }

        void reset() {
            rxBytes = txBytes = rxPackets = txPackets = rxErrors = txErrors = rxDrops = txDrops = 0;
        }

        NetInterface read(double dt, boolean rates, double load) {
            double noise = Math.exp(rnd.nextGaussian() * 0.1);
            long dRx = count(netBase * share * load * noise, dt);
            long dTx = count(netBase * share * load * noise * txShare, dt);
            long dRxP = Math.round(dRx / 900.0);
            long dTxP = Math.round(dTx / 700.0);
            long dRxE = rnd.nextDouble() < 0.005 ? 1 + rnd.nextInt(3) : 0;
            long dTxE = 0;
            long dRxD = count(0.05 + 0.3 * rnd.nextDouble() * load, dt);
            long dTxD = 0;
            rxBytes += dRx;
            txBytes += dTx;
            rxPackets += dRxP;
            txPackets += dTxP;
            rxErrors += dRxE;
            txErrors += dTxE;
            rxDrops += dRxD;
            txDrops += dTxD;
            return NetInterface.newBuilder().setName(name).setRxBytesTotal(rxBytes).setTxBytesTotal(txBytes)
                    .setRxPacketsTotal(rxPackets).setTxPacketsTotal(txPackets).setRxErrorsTotal(rxErrors)
                    .setTxErrorsTotal(txErrors).setRxDropsTotal(rxDrops).setTxDropsTotal(txDrops)
                    .setRxBytesPerSec(rates ? dRx / dt : null).setTxBytesPerSec(rates ? dTx / dt : null)
                    .setRxPacketsPerSec(rates ? dRxP / dt : null).setTxPacketsPerSec(rates ? dTxP / dt : null)
                    .setRxErrorsPerSec(rates ? dRxE / dt : null).setTxErrorsPerSec(rates ? dTxE / dt : null)
                    .setRxDropsPerSec(rates ? dRxD / dt : null).setTxDropsPerSec(rates ? dTxD / dt : null).build();
        }
    }

    /** One PSI resource: stall time counters and the kernel's 10/60/300 s averages (percent). */
    private static final class Psi {
        double someTotal;
        double fullTotal;
        double some10;
        double some60;
        double some300;
        double full10;
        double full60;
        double full300;

        /** At boot: stall totals from zero, averages at the given stall ratio. */
        void boot(double ratio) {
            someTotal = 0;
            fullTotal = 0;
            some10 = some60 = some300 = 100 * ratio;
            full10 = full60 = full300 = 40 * ratio;
        }

        PressureResource read(double dt, boolean rates, double ratio, boolean withFull) {
            ratio = clamp(ratio, 0, 1);
            double fullRatio = ratio * 0.4;
            double dSome = ratio * dt;
            double dFull = fullRatio * dt;
            someTotal += dSome;
            fullTotal += dFull;
            some10 = ewma(some10, 100 * ratio, dt, 10);
            some60 = ewma(some60, 100 * ratio, dt, 60);
            some300 = ewma(some300, 100 * ratio, dt, 300);
            full10 = ewma(full10, 100 * fullRatio, dt, 10);
            full60 = ewma(full60, 100 * fullRatio, dt, 60);
            full300 = ewma(full300, 100 * fullRatio, dt, 300);
            PressureResource.Builder b = PressureResource.newBuilder().setSomeAvg10(round2(some10))
                    .setSomeAvg60(round2(some60)).setSomeAvg300(round2(some300)).setSomeStallSecondsTotal(someTotal)
                    .setSomeStallRatio(rates ? Math.min(1.0, dSome / dt) : null);
            if (withFull) {
                b.setFullAvg10(round2(full10)).setFullAvg60(round2(full60)).setFullAvg300(round2(full300))
                        .setFullStallSecondsTotal(fullTotal).setFullStallRatio(rates ? Math.min(1.0, dFull / dt) : null);
            } else {
                b.setFullAvg10(null).setFullAvg60(null).setFullAvg300(null).setFullStallSecondsTotal(null)
                        .setFullStallRatio(null);
            }
            return b.build();
        }
    }

    private final class PodState {
        String uid;
        String namespace;
        String name;
        String qos;
        Double cpuLimit;
        Long memLimit;
        double cpuWeight;
        double memWeight;
        double workingShare;
        long endsAt;
        long startMs;
        boolean fresh;
        double cpuUsage;
        long periods;
        long throttled;
        double throttledSeconds;
        long oomKills;

        void reset() {
            startMs = bootMs;
            cpuUsage = 0;
            periods = 0;
            throttled = 0;
            throttledSeconds = 0;
            oomKills = 0;
            fresh = true;
        }

        Pod read(double dt, boolean rates, double demandCores, double memory) {
            double usage = demandCores;
            double throttledRatio = 0;
            if (cpuLimit != null) {
                if (demandCores > cpuLimit) {
                    usage = cpuLimit;
                    throttledRatio = Math.min(0.95, 0.2 + (demandCores - cpuLimit) / demandCores);
                } else {
                    throttledRatio = 0.02 * rnd.nextDouble();
                }
            }
            double dUsage = usage * dt;
            long dPeriods = cpuLimit == null ? 0 : Math.round(10 * dt * Math.min(1, 0.2 + usage * 5));
            long dThrottled = Math.round(dPeriods * throttledRatio);
            double dThrottledSeconds = dThrottled * 0.05;
            cpuUsage += dUsage;
            periods += dPeriods;
            throttled += dThrottled;
            throttledSeconds += dThrottledSeconds;
            long current = Math.max(8L << 20, pages(memory));
            if (memLimit != null) {
                current = Math.min(current, pages(memLimit * 0.98));
            }
            long working = pages(current * workingShare);
            return Pod.newBuilder().setUid(uid).setNamespace(namespace).setName(name).setQosClass(qos)
                    .setCpuUsageSecondsTotal(cpuUsage).setCpuPeriodsTotal(periods)
                    .setCpuThrottledPeriodsTotal(throttled).setCpuThrottledSecondsTotal(throttledSeconds)
                    .setOomKillsTotal(oomKills).setCpuUsageCores(rates ? dUsage / dt : null)
                    .setCpuThrottledRatio(rates ? (dPeriods == 0 ? 0.0 : dThrottled / (double) dPeriods) : null)
                    .setCpuLimitCores(cpuLimit).setMemoryCurrentBytes(current).setMemoryWorkingSetBytes(working)
                    .setMemoryLimitBytes(memLimit).build();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A whole number of events at {@code rate} per second over {@code dt} seconds. */
    private long count(double rate, double dt) {
        double x = Math.max(0, rate) * dt;
        long whole = (long) x;
        return whole + (rnd.nextDouble() < x - whole ? 1 : 0);
    }

    private static double ewma(double previous, double target, double dt, double tau) {
        double a = 1 - Math.exp(-dt / tau);
        return previous + a * (target - previous);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static long pages(double bytes) {
        return Math.max(0, (long) (bytes / PAGE)) * PAGE;
    }

    private String suffix(int n) {
        String chars = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(rnd.nextInt(chars.length())));
        }
        return sb.toString();
    }

    private String hex(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(Character.forDigit(rnd.nextInt(16), 16));
        }
        return sb.toString();
    }

    /** A random (version 4) UUID drawn from {@code r}, so runs with the same seed repeat. */
    static UUID uuid(SplittableRandom r) {
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(hi, lo);
    }
}
