package io.nodepulse.deploy.e2e;

import io.nodepulse.testkit.AppProcess;
import io.nodepulse.testkit.BenchEnv;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The whole pipeline on this machine, driven by the fleet simulator: the local stack's Kafka and TimescaleDB,
 * the packaged processor (child JVM, its defaults) and the simulator CLI (child JVM), in a fresh database and
 * topic prefix. For each step (a rate in node-events/s, i.e. nodes = rate × interval) it runs the simulator for
 * warm-up plus measurement and reports over the measurement window:
 * <ul>
 *   <li>events/s stored (the sink's records from {@code metrics.valid} and {@code late}) and rows/s (the sink's
 *       rows in every table), from the processor's /metrics;</li>
 *   <li>whether it kept up: the processor's and the sink's consumer lag at the start and end of the window;</li>
 *   <li>raw freshness: a probe polls {@code nodepulse.node_events} every 100 ms for the newest event of 50
 *       sample nodes; when a node's newest event time advances, freshness = poll time − event time (the row was
 *       not there at the previous poll, so this is at most 100 ms late);</li>
 *   <li>rollup freshness: the same every 250 ms on {@code nodepulse.cpu_1m}; freshness = poll time − window
 *       close (bucket + 1 minute + the 1-minute grace);</li>
 *   <li>CPU (from /proc: utime + stime, as a share of one core) and memory (RSS; PSS summed over PostgreSQL's
 *       processes, which share their buffers) of the simulator, the processor, Kafka and PostgreSQL, the rest of
 *       the machine, and the load average.</li>
 * </ul>
 * Arguments: {@code [--rates 500,1000,2000] [--interval 10s] [--warmup 90s] [--measure 120s] [--stagger]
 * [--aligned] [--sim-heap 1g] [--sim-jvm "<flags>"] [--processor-jvm "<flags>"] [--processor-env K=V,...]
 * [--copy-baseline rows/s]}
 * ({@code deploy/bench/e2e-benchmark.sh} runs the sink benchmark's COPY baseline first and passes it). Needs the
 * local stack's environment.
 */
public final class EndToEndBenchmark {
    private static final String CLUSTER = "bench";
    private static final int PROBES = 50;
    private static final double TICKS = 100.0;

    private final Map<String, String> env;
    private final Path work;
    private final String prefix;
    private final String database;
    private final String jdbcUrl;
    private final String adminUser;
    private final String adminPassword;
    private final Path home;
    private AppProcess processor;
    private int port;
    private List<String> processorFlags = List.of();
    private Map<String, String> processorEnv = Map.of();
    private double copyBaseline;

    private EndToEndBenchmark(Map<String, String> env) throws IOException {
        this.env = env;
        this.work = Files.createTempDirectory("nodepulse-e2e-bench-");
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL);
        this.prefix = "bench.e2e." + id + ".";
        this.database = "bench_e2e_" + id;
        String url = required("NODEPULSE_JDBC_URL");
        this.jdbcUrl = url.substring(0, url.lastIndexOf('/') + 1) + database;
        this.adminUser = required("NODEPULSE_PG_ADMIN_USER");
        this.adminPassword = read("NODEPULSE_PG_ADMIN_PASSWORD_FILE");
        this.home = Path.of(required("NODEPULSE_HOME"));
    }

    /** One step's settings. */
    record Step(int rate, boolean stagger) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> rates = List.of(500, 1000, 2000);
        Duration interval = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(90);
        Duration measure = Duration.ofSeconds(120);
        boolean stagger = false;
        boolean aligned = false;
        String simHeap = "1g";
        String simJvm = "-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2";
        String procJvm = "";
        Map<String, String> procEnv = new LinkedHashMap<>();
        double copyBaseline = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rates" -> rates = Stream.of(args[++i].split(",")).map(String::strip).map(Integer::valueOf)
                        .toList();
                case "--interval" -> interval = Duration.ofSeconds(Long.parseLong(args[++i].replace("s", "")));
                case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i].replace("s", "")));
                case "--measure" -> measure = Duration.ofSeconds(Long.parseLong(args[++i].replace("s", "")));
                case "--stagger" -> stagger = true;
                case "--aligned" -> aligned = true;
                case "--sim-heap" -> simHeap = args[++i];
                case "--sim-jvm" -> simJvm = args[++i];
                case "--processor-jvm" -> procJvm = args[++i];
                case "--processor-env" -> {
                    for (String kv : args[++i].split(",")) {
                        int eq = kv.indexOf('=');
                        procEnv.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
                    }
                }
                case "--copy-baseline" -> copyBaseline = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: EndToEndBenchmark [--rates 500,1000] "
                            + "[--interval 10s] [--warmup 90s] [--measure 120s] [--stagger] [--aligned] [--sim-heap 1g] "
                            + "[--sim-jvm \"<flags>\"] [--processor-jvm \"<flags>\"] [--processor-env K=V,...]");
                    System.exit(2);
                }
            }
        }
        if (!stagger && !aligned) {
            stagger = true;
        }
        Map<String, String> env = BenchEnv.localStackOrExit();
        List<Step> steps = new ArrayList<>();
        for (int r : rates) {
            if (stagger) {
                steps.add(new Step(r, true));
            }
            if (aligned) {
                steps.add(new Step(r, false));
            }
        }
        EndToEndBenchmark b = new EndToEndBenchmark(env);
        List<String> simFlags = new ArrayList<>(List.of("-Xmx" + simHeap));
        if (!simJvm.isBlank()) {
            simFlags.addAll(List.of(simJvm.strip().split("\\s+")));
        }
        b.copyBaseline = copyBaseline;
        b.processorFlags = procJvm.isBlank() ? List.of() : List.of(procJvm.strip().split("\\s+"));
        b.processorEnv = procEnv;
        b.run(steps, interval, warmup, measure, simFlags);
    }

    private void run(List<Step> steps, Duration interval, Duration warmup, Duration measure, List<String> simFlags)
            throws Exception {
        System.out.printf(Locale.ROOT, "end-to-end benchmark: database %s, topics %s*, %d CPUs, load %s%n", database,
                prefix, Runtime.getRuntime().availableProcessors(), loadavg());
        List<String> rows = new ArrayList<>();
        try {
            createDatabase();
            startProcessor();
            for (Step s : steps) {
                String row = step(s, interval, warmup, measure, simFlags);
                rows.add(row);
                System.out.println(HEADER);
                System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|");
                rows.forEach(System.out::println);
                System.out.println();
                if (!awaitCaughtUp(Duration.ofMinutes(5))) {
                    System.out.println("the pipeline did not catch up within 5 minutes; skipping the remaining steps");
                    break;
                }
            }
        } finally {
            if (processor != null) {
                System.out.println("processor log: " + processor.logFile());
                processor.terminate(Duration.ofSeconds(90));
            }
            cleanUp();
        }
    }

    static final String HEADER = "| ticks | nodes | target ev/s | events/s stored | rows/s (/ COPY) | raw p50 | raw p99 | "
            + "rollup p50 | rollup p99 | kept up | CPU % sim / proc / kafka / pg / other | RSS MiB sim / proc / kafka / "
            + "pg (PSS) | input lag max / end (s) | load 1m start → end | steal % |";

    // ------------------------------------------------------------------ one step

    private String step(Step s, Duration interval, Duration warmup, Duration measure, List<String> simFlags)
            throws Exception {
        int nodes = (int) (s.rate() * interval.toSeconds());
        String nodePrefix = "r" + s.rate() + (s.stagger() ? "s" : "a") + "-";
        Duration run = warmup.plus(measure).plusSeconds(10);
        List<String> args = new ArrayList<>(List.of("--nodes", Integer.toString(nodes), "--interval",
                interval.toSeconds() + "s", "--duration", run.toSeconds() + "s", "--cluster", CLUSTER, "--node-prefix",
                nodePrefix, "--seed", "7", "--progress", "10s"));
        if (s.stagger()) {
            args.add("--stagger");
        }
        Map<String, String> simEnv = new HashMap<>();
        simEnv.put("KAFKA_BOOTSTRAP_SERVERS", required("NODEPULSE_KAFKA_BOOTSTRAP"));
        simEnv.put("NODEPULSE_TOPIC_PREFIX", prefix);
        simEnv.put("NODEPULSE_SPOOL_DIR", Files.createDirectories(work.resolve("spool-" + nodePrefix)).toString());
        List<String> flags = new ArrayList<>(simFlags);
        flags.add("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("sim-tmp")));
        System.out.printf(Locale.ROOT, "%n== %,d nodes every %ds (%,d events/s), ticks %s; warm-up %ds, measuring %ds%n",
                nodes, interval.toSeconds(), s.rate(), s.stagger() ? "staggered" : "aligned", warmup.toSeconds(),
                measure.toSeconds());
        List<String> probeNodes = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            probeNodes.add(String.format("%s%05d", nodePrefix, 1 + (long) i * nodes / PROBES));
        }
        try (AppProcess sim = AppProcess.start(Pipeline.repo().resolve("agent"), "nodepulse-agent.jar",
                "io.nodepulse.agent.simulate.Simulator", flags, args, simEnv, work.resolve("sim-" + nodePrefix + "log"))) {
            sleepWatching(sim, warmup);
            Snapshot a = snapshot(sim);
            Probe raw = new Probe("SELECT node, max(time) FROM nodepulse.node_events WHERE cluster = ? AND node = "
                    + "ANY(?) AND time > now() - interval '5 minutes' GROUP BY node", probeNodes, 100, Duration.ZERO);
            Probe rollup = new Probe("SELECT node, max(bucket) FROM nodepulse.cpu_1m WHERE cluster = ? AND node = "
                    + "ANY(?) AND bucket > now() - interval '15 minutes' GROUP BY node", probeNodes, 250,
                    Duration.ofSeconds(90));
            raw.start();
            rollup.start();
            LagSampler lags = new LagSampler();
            lags.start();
            TopicProbe inMetrics = new TopicProbe(prefix + "metrics", "read_uncommitted", probeNodes);
            TopicProbe inValid = new TopicProbe(prefix + "metrics.valid", "read_committed", probeNodes);
            inMetrics.start();
            inValid.start();
            sleepWatching(sim, measure);
            Snapshot b = snapshot(sim);
            raw.stop();
            rollup.stop();
            System.out.println("simulator: " + lastLines(sim, 2));
            int exit = sim.waitFor(Duration.ofMinutes(3));
            System.out.println("simulator exited with " + exit + ": " + lastLines(sim, 6));
            lags.stop();
            inMetrics.stop();
            inValid.stop();
            raw.breakdown();
            System.out.printf(Locale.ROOT, "freshness by stage, p50 / p99: in %smetrics %s / %s; in %smetrics.valid "
                            + "(after Streams, committed) %s / %s; queryable in node_events %s / %s%n", prefix,
                    inMetrics.pct(50), inMetrics.pct(99), prefix, inValid.pct(50), inValid.pct(99), raw.pct(50),
                    raw.pct(99));
            return row(s, nodes, a, b, raw, rollup, lags);
        }
    }

    private String row(Step s, int nodes, Snapshot a, Snapshot b, Probe raw, Probe rollup, LagSampler lags) {
        double secs = (b.nanos - a.nanos) / 1e9;
        double events = (b.sinkRecords - a.sinkRecords) / secs;
        double rows = (b.sinkRows - a.sinkRows) / secs;
        double wallTicks = secs * TICKS;
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (String k : List.of("sim", "processor", "kafka", "postgres")) {
            cpu.put(k, 100 * (b.cpuTicks.getOrDefault(k, 0L) - a.cpuTicks.getOrDefault(k, 0L)) / wallTicks);
        }
        double machine = 100 * (b.machineBusy - a.machineBusy) / wallTicks;
        double other = machine - cpu.values().stream().mapToDouble(Double::doubleValue).sum();
        double steal = 100 * (b.machineSteal - a.machineSteal) / wallTicks;
        // kept up: stored what was offered, and the input lag did not grow by more than 5 s of input
        boolean keptUp = events >= 0.97 * s.rate() && lags.last() <= s.rate() * 5L;
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %,.0f | %,.0f%s | %s | %s | %s | %s | %s | %.0f / %.0f / %.0f / "
                        + "%.0f / %.0f | %d / %d / %d / %d | %.1f / %.1f | %s → %s | %.0f |", s.stagger() ? "staggered" : "aligned",
                nodes, s.rate(), events, rows, copyBaseline > 0 ? String.format(Locale.ROOT, " (%.2f)",
                        rows / copyBaseline) : "", raw.pct(50), raw.pct(99), rollup.pct(50), rollup.pct(99),
                keptUp ? "yes" : "no", cpu.get("sim"), cpu.get("processor"), cpu.get("kafka"), cpu.get("postgres"),
                other, b.rss.getOrDefault("sim", 0L) >> 20, b.rss.getOrDefault("processor", 0L) >> 20,
                b.rss.getOrDefault("kafka", 0L) >> 20, b.rss.getOrDefault("postgres", 0L) >> 20,
                lags.max() / (double) s.rate(), lags.last() / (double) s.rate(), a.load, b.load, steal);
    }

    private void sleepWatching(AppProcess sim, Duration d) throws InterruptedException {
        Instant end = Instant.now().plus(d);
        while (Instant.now().isBefore(end)) {
            if (!sim.isAlive()) {
                throw new IllegalStateException("the simulator exited early:\n" + sim.tail(40));
            }
            if (!processor.isAlive()) {
                throw new IllegalStateException("the processor exited:\n" + processor.tail(60));
            }
            Thread.sleep(Math.min(1000, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
        }
    }

    private static String lastLines(AppProcess p, int n) {
        String[] lines = p.log().split("\n");
        return String.join("\n  ", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }

    /** Waits until the processor and the sink have no lag, so the next step starts clean. */
    private boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        Instant start = Instant.now();
        Instant end = start.plus(timeout);
        while (Instant.now().isBefore(end)) {
            String m = metrics();
            if (sum(m, "nodepulse_processor_consumer_lag{") == 0 && sum(m, "nodepulse_sink_consumer_lag{") == 0) {
                System.out.printf(Locale.ROOT, "caught up %d s after the simulator stopped%n",
                        Duration.between(start, Instant.now()).toSeconds());
                return true;
            }
            Thread.sleep(2000);
        }
        return false;
    }

    /** A daemon thread that samples until stopped. */
    private abstract static class Sampler {
        private final Thread thread;
        volatile boolean stop;

        Sampler(String name) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
        }

        abstract void run();

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    /** A sampler of freshness: for each observation, the event time and how long after it the data was seen. */
    private abstract static class FreshnessProbe extends Sampler {
        private final List<long[]> observed = Collections.synchronizedList(new ArrayList<>());
        private final boolean showCount;

        FreshnessProbe(String name, boolean showCount) {
            super(name);
            this.showCount = showCount;
        }

        void observe(long eventTimeMs, long lagMs) {
            observed.add(new long[] {eventTimeMs, lagMs});
        }

        List<long[]> observations() {
            synchronized (observed) {
                return new ArrayList<>(observed);
            }
        }

        String pct(int p) {
            List<Long> sorted = observations().stream().map(o -> o[1]).sorted().toList();
            if (sorted.isEmpty()) {
                return "–";
            }
            long v = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
            return String.format(Locale.ROOT, "%.2f s", v / 1000.0)
                    + (showCount ? String.format(Locale.ROOT, " (n=%d)", sorted.size()) : "");
        }
    }

    /** Samples the processor's lag on the metrics topic every 2 s. */
    private final class LagSampler extends Sampler {
        private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());

        LagSampler() {
            super("lag");
        }

        @Override
        void run() {
            while (!stop) {
                // ingest's lag on metrics plus the rollup application's on metrics.valid
                String m = metrics();
                samples.add((long) (sum(m, "nodepulse_processor_consumer_lag{topic=\"" + prefix + "metrics\"")
                        + sum(m, "nodepulse_processor_consumer_lag{topic=\"" + prefix + "metrics.valid\"")));
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long max() {
            synchronized (samples) {
                return samples.stream().mapToLong(Long::longValue).max().orElse(0);
            }
        }

        long last() {
            synchronized (samples) {
                return samples.isEmpty() ? 0 : samples.get(samples.size() - 1);
            }
        }
    }

    // ------------------------------------------------------------------ measurements

    /** What /metrics and /proc say at one moment. */
    private final class Snapshot {
        final long nanos = System.nanoTime();
        final long sinkRecords;
        final long sinkRows;
        final long lag;
        final long sinkLag;
        final Map<String, Long> cpuTicks = new HashMap<>();
        final Map<String, Long> rss = new HashMap<>();
        final long machineBusy;
        final long machineSteal;
        final String load;

        Snapshot(AppProcess sim) throws IOException {
            String m = metrics();
            String valid = prefix + "metrics.valid";
            String late = prefix + "late";
            sinkRecords = (long) (AppProcess.metric(m, "nodepulse_sink_records_total{topic=\"" + valid + "\"}")
                    + Math.max(0, AppProcess.metric(m, "nodepulse_sink_records_total{topic=\"" + late + "\"}")));
            sinkRows = (long) sum(m, "nodepulse_sink_rows_total{");
            lag = (long) sum(m, "nodepulse_processor_consumer_lag{");
            sinkLag = (long) sum(m, "nodepulse_sink_consumer_lag{");
            long kafka = pidFile("kafka.pid");
            long pg = pidFile("postgres.pid");
            cpuTicks.put("sim", ProcStat.cpu(sim.pid()));
            cpuTicks.put("processor", ProcStat.cpu(processor.pid()));
            cpuTicks.put("kafka", ProcStat.cpu(kafka));
            cpuTicks.put("postgres", ProcStat.treeCpu(pg));
            rss.put("sim", ProcStat.rss(sim.pid()));
            rss.put("processor", ProcStat.rss(processor.pid()));
            rss.put("kafka", ProcStat.rss(kafka));
            rss.put("postgres", ProcStat.treePss(pg));
            long[] machine = ProcStat.machineTicks();
            machineBusy = machine[0];
            machineSteal = machine[1];
            load = loadavg();
        }
    }

    private Snapshot snapshot(AppProcess sim) throws IOException {
        return new Snapshot(sim);
    }

    private long pidFile(String name) throws IOException {
        return Long.parseLong(Files.readString(home.resolve("run").resolve(name)).strip());
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private String metrics() {
        HttpResponse<String> r = AppProcess.get(port, "/metrics");
        return r == null ? "" : r.body();
    }

    /** The sum of every sample whose name and labels start with {@code start}. */
    static double sum(String text, String start) {
        double s = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(start)) {
                s += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return s;
    }

    /** Polls a "node, newest time" query and records how long each new time took to become visible. */
    private final class Probe extends FreshnessProbe {
        private final String sql;
        private final List<String> nodes;
        private final long everyMs;
        private final Duration closeAfter;

        /** @param closeAfter added to the time read (bucket start + 1 minute + grace = the window's close) */
        Probe(String sql, List<String> nodes, long everyMs, Duration closeAfter) {
            super("probe", true);
            this.sql = sql;
            this.nodes = nodes;
            this.everyMs = everyMs;
            this.closeAfter = closeAfter;
        }

        @Override
        void run() {
            Map<String, Long> newest = new HashMap<>();
            try (Connection c = connect(required("NODEPULSE_DB_READER_USER"), read("NODEPULSE_DB_READER_PASSWORD_FILE"));
                 PreparedStatement st = c.prepareStatement(sql)) {
                Array names = c.createArrayOf("text", nodes.toArray());
                st.setString(1, CLUSTER);
                st.setArray(2, names);
                boolean first = true;
                while (!stop) {
                    long polled = System.currentTimeMillis();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            long t = rs.getTimestamp(2).getTime();
                            Long before = newest.put(rs.getString(1), t);
                            if (!first && (before == null || t > before)) {
                                observe(t, polled - t - closeAfter.toMillis());
                            }
                        }
                    }
                    first = false;
                    long left = everyMs - (System.currentTimeMillis() - polled);
                    if (left > 0) {
                        Thread.sleep(left);
                    }
                }
            } catch (SQLException | InterruptedException e) {
                System.out.println("probe stopped: " + e);
            }
        }

        /** Where the slow ones fall: counts of freshness above 2 s by the event's second within its minute. */
        void breakdown() {
            int[] slow = new int[6];
            int[] all = new int[6];
            for (long[] o : observations()) {
                int bucket = (int) (o[0] / 1000 % 60 / 10);
                all[bucket]++;
                if (o[1] > 2000) {
                    slow[bucket]++;
                }
            }
            StringBuilder sb = new StringBuilder("raw freshness above 2 s by second of the minute:");
            for (int i = 0; i < 6; i++) {
                sb.append(String.format(Locale.ROOT, "  %02d-%02d: %d/%d", i * 10, i * 10 + 9, slow[i], all[i]));
            }
            System.out.println(sb);
        }
    }

    /**
     * Reads a topic from its end and records, for the sample nodes' events (record key = node name), how long
     * after the event time each became readable.
     */
    private final class TopicProbe extends FreshnessProbe {
        private final String topic;
        private final String isolation;
        private final Set<String> nodes;

        TopicProbe(String topic, String isolation, List<String> nodes) {
            super("topic-probe", false);
            this.topic = topic;
            this.isolation = isolation;
            this.nodes = Set.copyOf(nodes);
        }

        @Override
        void run() {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, required("NODEPULSE_KAFKA_BOOTSTRAP"));
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
            io.nodepulse.agent.encode.EventEncoder decoder = new io.nodepulse.agent.encode.EventEncoder(topic);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(parts);
                c.seekToEnd(parts);
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                        if (r.key() != null && nodes.contains(new String(r.key(), StandardCharsets.UTF_8))) {
                            long t = decoder.decode(r.value()).getEventTime().toEpochMilli();
                            observe(t, System.currentTimeMillis() - t);
                        }
                    }
                }
            } catch (RuntimeException e) {
                System.out.println("topic probe " + topic + " stopped: " + e);
            }
        }
    }

    /** CPU and memory of processes, from /proc. */
    static final class ProcStat {
        private ProcStat() {
        }

        /** utime + stime of one process, in clock ticks. */
        static long cpu(long pid) {
            String[] f = stat(pid);
            return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }

        /** A process with its live children and the children it reaped (cutime, cstime). */
        static long treeCpu(long pid) throws IOException {
            String[] f = stat(pid);
            long total = f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                    + Long.parseLong(f[14]);
            for (long child : children(pid)) {
                total += cpu(child);
            }
            return total;
        }

        static long rss(long pid) {
            return status(pid, "VmRSS:");
        }

        /** PSS of a process and its children (shared memory counted once, in shares). */
        static long treePss(long pid) throws IOException {
            long total = rollup(pid);
            for (long child : children(pid)) {
                total += rollup(child);
            }
            return total;
        }

        /**
         * Clock ticks of the whole machine from /proc/stat: [0] busy (user, nice, system, irq, softirq), [1] steal
         * (time the hypervisor gave this VM's CPUs to others).
         */
        static long[] machineTicks() throws IOException {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 8); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return new long[] {busy, f.length > 8 ? Long.parseLong(f[8]) : 0};
        }

        /** Fields of /proc/pid/stat after the command name (index 0 = state). */
        private static String[] stat(long pid) {
            try {
                String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return s.substring(s.lastIndexOf(')') + 2).split(" ");
            } catch (IOException e) {
                return null;
            }
        }

        private static List<Long> children(long pid) throws IOException {
            List<Long> out = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    String[] f = stat(Long.parseLong(name));
                    if (f != null && Long.parseLong(f[1]) == pid) {
                        out.add(Long.parseLong(name));
                    }
                }
            }
            return out;
        }

        private static long status(long pid, String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.substring(key.length()).replace("kB", "").strip()) * 1024;
                    }
                }
            } catch (IOException e) {
                return 0;
            }
            return 0;
        }

        private static long rollup(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                    if (line.startsWith("Pss:")) {
                        return Long.parseLong(line.substring(4).replace("kB", "").strip()) * 1024;
                    }
                }
            } catch (IOException e) {
                return 0;
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------ setup

    private void createDatabase() throws SQLException, IOException {
        String owner = required("NODEPULSE_DB_OWNER_USER");
        try (Connection c = connectTo(jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "postgres", adminUser,
                adminPassword); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database + " OWNER " + owner);
        }
        try (Connection c = connectTo(jdbcUrl, adminUser, adminPassword); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
        }
    }

    private void startProcessor() throws Exception {
        port = AppProcess.freePort();
        Pipeline.Target t = new Pipeline.Target(required("NODEPULSE_KAFKA_BOOTSTRAP"), prefix, jdbcUrl,
                required("NODEPULSE_DB_OWNER_USER"), read("NODEPULSE_DB_OWNER_PASSWORD_FILE"),
                required("NODEPULSE_DB_WRITER_USER"), read("NODEPULSE_DB_WRITER_PASSWORD_FILE"),
                required("NODEPULSE_DB_READER_USER"));
        processor = Pipeline.startProcessor(Pipeline.processorEnv(t, work, port, processorEnv), work, processorFlags);
        processor.awaitHttpOk(port, "/readyz", Duration.ofMinutes(3));
        System.out.println("processor ready (pid " + processor.pid() + "), " + (processorEnv.isEmpty() ? "default settings"
                : "settings " + processorEnv) + ", log " + processor.logFile());
    }

    private void cleanUp() {
        try (Connection c = connectTo(jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "postgres", adminUser,
                adminPassword); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.out.println("could not drop database " + database + ": " + e.getMessage());
        }
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                required("NODEPULSE_KAFKA_BOOTSTRAP"));
        try (Admin a = Admin.create(admin)) {
            Set<String> names = a.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> mine = names.stream().filter(n -> n.startsWith(prefix)).toList();
            a.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("could not delete topics " + prefix + "*: " + e);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private Connection connect(String user, String password) throws SQLException {
        return connectTo(jdbcUrl, user, password);
    }

    private static Connection connectTo(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(url, p);
    }

    private String required(String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run eval \"$(deploy/local/stack.sh env)\" first");
        }
        return v;
    }

    private String read(String fileVariable) {
        try {
            return Files.readString(Path.of(required(fileVariable)), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + fileVariable + ": " + e.getMessage(), e);
        }
    }
}
