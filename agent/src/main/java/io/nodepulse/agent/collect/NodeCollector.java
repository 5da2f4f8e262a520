package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Fields;
import io.nodepulse.agent.collect.parse.ProcStat;
import io.nodepulse.agent.collect.parse.Timex;
import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.FsStat;
import io.nodepulse.agent.collect.sys.JnaStatFs;
import io.nodepulse.agent.collect.sys.JnaTimex;
import io.nodepulse.agent.collect.sys.OshiHost;
import io.nodepulse.agent.collect.sys.StatFs;
import io.nodepulse.agent.collect.sys.TimexSource;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every collector once per cycle and assembles the families into a NodeMetrics builder. Keeps the
 * previous counter readings between cycles, so rates cover the measured time between two readings; a change
 * of boot id forgets them all. Cycles must not overlap: {@link #collect} is synchronized.
 */
public final class NodeCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCollector.class);

    /** Last outcome of one collector, read by the metrics endpoint. */
    private static final class Stats {
        final String name;
        volatile long lastMicros;
        volatile boolean lastOk = true;
        volatile boolean ran;
        long errors;

        Stats(String name) {
            this.name = name;
        }
    }

    private final CollectSettings settings;
    private final KernelFiles files = new KernelFiles();
    private final LongSupplier nanoTime;
    private final StatFs statFs;
    private final Supplier<String> hardware;
    private final List<Collector<?>> collectors = new ArrayList<>();
    private final List<Stats> stats = new ArrayList<>();
    private final KernelFiles.Handle bootIdFile;
    private final KernelFiles.Handle statFile;
    private volatile String bootId;
    private volatile long lastCycleMicros;
    private SelfCheck selfCheck;
    private MetricRegistry.Counter errorCounter;

    NodeCollector(CollectSettings settings, StatFs statFs, TimexSource timex, LongSupplier nanoTime,
                  Supplier<String> hardware) {
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.statFs = statFs;
        this.hardware = hardware;
        this.bootIdFile = files.handle(settings.proc().resolve("sys/kernel/random/boot_id"));
        this.statFile = files.handle(settings.proc().resolve("stat"));
        for (String name : CollectSettings.COLLECTORS) {
            if (settings.disabled().contains(name)) {
                continue;
            }
            Collector<?> c = switch (name) {
                case "cpu" -> new CpuCollector(settings, files);
                case "memory" -> new MemoryCollector(settings, files);
                case "load" -> new LoadCollector(settings, files);
                case "processes" -> new ProcessesCollector(settings, files);
                case "filedescriptors" -> new FileDescriptorsCollector(settings, files);
                case "disk" -> new DiskCollector(settings, files);
                case "filesystem" -> new FilesystemCollector(settings, files, statFs);
                case "interface" -> new InterfaceCollector(settings, files);
                case "pressure" -> new PressureCollector(settings, files);
                case "clock" -> new ClockCollector(timex);
                case "thermal" -> new ThermalCollector(settings);
                case "pod" -> new PodCollector(settings);
                default -> throw new IllegalStateException("no collector " + name);
            };
            collectors.add(c);
            stats.add(new Stats(name));
        }
        this.bootId = readBootId();
    }

    /**
     * A collector for the host under the settings' prefixes. Points OSHI at the host's /proc and /sys first,
     * before any OSHI class loads.
     */
    public static NodeCollector create(CollectSettings settings) {
        String oshiProblem = OshiHost.configure(settings.proc(), settings.sys());
        Supplier<String> hardware = () -> {
            if (oshiProblem != null) {
                return SelfCheck.NOTE + oshiProblem;
            }
            try {
                return "host: " + OshiHost.describe();
            } catch (RuntimeException | LinkageError e) {
                return SelfCheck.NOTE + "OSHI could not describe the host: " + e;
            }
        };
        return new NodeCollector(settings, new LazyStatFs(), new LazyTimex(), System::nanoTime, hardware);
    }

    /** Loads the native statvfs binding on first use, so that a missing native library fails one collector. */
    private static final class LazyStatFs implements StatFs {
        private JnaStatFs delegate;

        @Override
        public FsStat stat(Path path) throws IOException {
            if (delegate == null) {
                delegate = new JnaStatFs();
            }
            return delegate.stat(path);
        }

        @Override
        public Device device(Path path) {
            return Device.of(path);
        }
    }

    /** Loads the native adjtimex binding on first use, so that a missing native library fails one collector. */
    private static final class LazyTimex implements TimexSource {
        private JnaTimex delegate;

        @Override
        public Timex read() throws IOException {
            if (delegate == null) {
                delegate = new JnaTimex();
            }
            return delegate.read();
        }
    }

    public CollectSettings settings() {
        return settings;
    }

    /**
     * Runs every collector once. Returns a builder with collectors[] and every family filled, and bootId set;
     * identity (cluster, node, runId, seq, eventTime, intervalMs, agentVersion, kind) is left to the caller.
     * Never throws for a failing collector: it is recorded in collectors[] with its family null or empty.
     */
    public synchronized NodeMetrics.Builder collect(Instant tick) {
        long start = System.nanoTime();
        Cycle cycle = new Cycle(files, nanoTime);
        String boot = readBootId();
        if (!boot.equals(bootId)) {
            LOG.info("boot id changed from {} to {}: the node rebooted; rates restart", bootId, boot);
            for (Collector<?> c : collectors) {
                c.reset();
            }
        }
        bootId = boot;
        NodeMetrics.Builder event = emptyFamilies(NodeMetrics.newBuilder()).setBootId(boot);
        List<CollectorResult> results = new ArrayList<>(collectors.size());
        for (int i = 0; i < collectors.size(); i++) {
            results.add(run(collectors.get(i), stats.get(i), cycle, event, tick));
        }
        event.setCollectors(results);
        files.sweep();
        lastCycleMicros = (System.nanoTime() - start) / 1000;
        return event;
    }

    /** Every family null or empty, so that a disabled collector's family does not depend on schema defaults. */
    private static NodeMetrics.Builder emptyFamilies(NodeMetrics.Builder b) {
        return b.setCpu(null).setMemory(null).setLoad(null).setProcesses(null).setFileDescriptors(null)
                .setDisks(List.of()).setFilesystems(List.of()).setInterfaces(List.of()).setPressure(null)
                .setClock(null).setThermalZones(List.of()).setPods(List.of());
    }

    private <T> CollectorResult run(Collector<T> c, Stats st, Cycle cycle, NodeMetrics.Builder event, Instant tick) {
        long t0 = System.nanoTime();
        T family = null;
        String error = null;
        try {
            family = c.collect(cycle);
        } catch (Exception | LinkageError e) {
            error = describe(e);
        }
        long micros = (System.nanoTime() - t0) / 1000;
        c.put(event, error == null ? family : null);
        if (error != null) {
            errorCounter(st);
            if (st.lastOk) {
                LOG.warn("collector {} failed at {}: {} (logged once until it works again)", st.name, tick, error);
            }
        } else if (!st.lastOk) {
            LOG.info("collector {} works again at {}", st.name, tick);
        }
        st.lastOk = error == null;
        st.lastMicros = micros;
        st.ran = true;
        return CollectorResult.newBuilder().setName(c.name()).setOk(error == null).setDurationMicros(micros)
                .setError(error).build();
    }

    private synchronized void errorCounter(Stats st) {
        st.errors++;
        if (errorCounter != null) {
            errorCounter.inc(st.name);
        }
    }

    /** What failed, for the event and the log: the file and the reason, or the parse problem. */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return "cannot read " + n.getFile() + ": no such file";
        }
        if (e instanceof AccessDeniedException a) {
            return "cannot read " + a.getFile() + ": permission denied";
        }
        if (e instanceof IllegalArgumentException) {
            return "malformed input: " + e.getMessage();
        }
        if (e instanceof LinkageError) {
            return "native library unavailable (" + e + "); JNA needs a writable tmpdir that allows exec, "
                    + "see jna.tmpdir";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The kernel boot id; the boot time when it cannot be read; "unknown" when neither can. */
    private String readBootId() {
        try {
            String id = Fields.firstLine(files.read(bootIdFile));
            if (!id.isEmpty()) {
                return id;
            }
        } catch (IOException e) {
            // fall through to btime
        }
        try {
            return "btime-" + ProcStat.parse(files.read(statFile)).bootTimeSeconds();
        } catch (IOException | IllegalArgumentException e) {
            return "unknown";
        }
    }

    /** The current boot id. */
    public String bootId() {
        return bootId;
    }

    /** Host view or container view; checked once, on first call (it costs a few hundred ms of CPU). */
    public synchronized SelfCheck selfCheck() {
        if (selfCheck == null) {
            try (KernelFiles once = new KernelFiles(0)) {
                selfCheck = HostViewCheck.run(settings, once, statFs, hardware.get());
            }
        }
        return selfCheck;
    }

    /**
     * Per-collector last duration, last success and error count, and the last cycle's duration, for the
     * agent's /metrics.
     */
    public void registerMetrics(MetricRegistry registry) {
        registry.gaugeFamily("nodepulse_agent_collector_duration_seconds",
                "Wall time of the collector's last run.", () -> perCollector(st -> st.lastMicros / 1e6), "collector");
        registry.gaugeFamily("nodepulse_agent_collector_up",
                "1 when the collector's last run produced its family, 0 when it failed.",
                () -> perCollector(st -> st.lastOk ? 1.0 : 0.0), "collector");
        registry.gauge("nodepulse_agent_collect_cycle_duration_seconds",
                "Wall time of the last collection cycle, all collectors.", () -> lastCycleMicros / 1e6);
        MetricRegistry.Counter counter = registry.counter("nodepulse_agent_collector_errors_total",
                "Collector runs that failed; the event says why.", "collector");
        synchronized (this) {
            for (Stats st : stats) {
                counter.add(st.errors, st.name);
            }
            errorCounter = counter;
        }
    }

    private Map<List<String>, Double> perCollector(java.util.function.ToDoubleFunction<Stats> value) {
        Map<List<String>, Double> out = new LinkedHashMap<>();
        for (Stats st : stats) {
            if (st.ran) {
                out.put(List.of(st.name), value.applyAsDouble(st));
            }
        }
        return out;
    }

    /** Files kept open between cycles (see {@link KernelFiles}). */
    synchronized int openFiles() {
        return files.openFiles();
    }

    /** Closes the kernel files kept open between cycles. */
    @Override
    public synchronized void close() {
        for (Collector<?> c : collectors) {
            c.reset();
        }
        files.close();
    }
}
