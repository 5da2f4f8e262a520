package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.migrate.Migrator;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.testkit.BenchEnv;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;

/**
 * Sink rows/s on the same events, one run, with the same guarantee (one transaction per batch, consumer offsets
 * in it, the same latest/inventory upserts):
 * <ol>
 *   <li>binary COPY: the sink's own encoder and writer;</li>
 *   <li>batched prepared INSERT … ON CONFLICT DO NOTHING with reWriteBatchedInserts=true, as JDBC sink
 *       connectors do, same batch size;</li>
 *   <li>text COPY of the same rows, rows only: the database's ingest ceiling;</li>
 *   <li>the whole sink component: its consumer reading the events from Kafka, then writing as in 1.</li>
 * </ol>
 * Each path writes into a freshly migrated database. Needs the local stack's settings
 * ({@code eval "$(deploy/local/stack.sh env)"}). Arguments: nodes, events per node, batch size (records),
 * repetitions.
 */
public final class SinkBenchmark {
    private static final String CLUSTER = "bench";

    private final Map<String, String> env;
    private final String base;
    private final String adminUser;
    private final String adminPassword;
    private final List<String> databases = new ArrayList<>();

    private SinkBenchmark(Map<String, String> env) throws Exception {
        this.env = env;
        String url = env.get("NODEPULSE_JDBC_URL");
        this.base = url.substring(0, url.lastIndexOf('/') + 1);
        this.adminUser = env.get("NODEPULSE_PG_ADMIN_USER");
        this.adminPassword = Files.readString(Path.of(env.get("NODEPULSE_PG_ADMIN_PASSWORD_FILE"))).strip();
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int perNode = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Map<String, String> env = BenchEnv.localStackOrExit();
        new SinkBenchmark(env).run(nodes, perNode, batch, reps);
    }

    private void run(int nodes, int perNode, int batch, int reps) throws Exception {
        if ((long) nodes * perNode < 4L * batch) {
            System.err.println("use at least four batches of events (nodes x intervals >= 4 x batch size)");
            System.exit(2);
        }
        List<String> names = IntStream.range(0, nodes).mapToObj(i -> String.format("node-%05d", i)).toList();
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        List<NodeMetrics> events = new ArrayList<>(Fixtures.events(CLUSTER, names, start, perNode));
        // arrival order: all nodes' first interval, then the second… as agents publish
        events.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        List<NodeMetrics> warmup = Fixtures.events("warmup", names.subList(0, Math.min(nodes, batch)), start, 2);
        long rowsPerEvent = Fixtures.rowsPerEvent().values().stream().mapToInt(Integer::intValue).sum();
        long rows = rowsPerEvent * events.size();
        System.out.printf(Locale.ROOT, "sink benchmark: %d events (%d nodes x %d intervals), %d rows (%d per event), "
                        + "batch %d records = %d rows per transaction, %d repetitions, %d CPUs%n", events.size(), nodes,
                perNode, rows, rowsPerEvent, batch, batch * rowsPerEvent, reps, Runtime.getRuntime().availableProcessors());
        Map<String, List<Double>> results = new LinkedHashMap<>();
        try {
            // repetition 0 warms up the JIT on every path; it is printed but left out of the results
            for (int rep = 0; rep <= reps; rep++) {
                Map<String, List<Double>> into = rep == 0 ? new LinkedHashMap<>() : results;
                if (rep == 0) {
                    System.out.println("warm-up repetition (not counted):");
                }
                record("binary COPY (sink)", into, rows, copyPath(events, warmup, batch, rep));
                record("binary COPY, pipelined as the sink runs it", into, rows,
                        pipelinedCopyPath(events, warmup, batch, rep));
                record("prepared INSERT, reWriteBatchedInserts", into, rows, insertPath(events, warmup, batch, rep));
                record("text COPY, rows only (ceiling)", into, rows, textCopyPath(events, warmup, batch, rep));
                record("binary COPY, rows only", into, rows, binaryRowsOnlyPath(events, warmup, batch, rep));
                record("sink component from Kafka", into, rows, sinkFromKafka(events, batch, rep));
            }
        } finally {
            dropDatabases();
        }
        System.out.println();
        System.out.println("| path | rows/s (median of " + reps + ") | runs |");
        System.out.println("|---|---:|---|");
        Map<String, Double> median = new LinkedHashMap<>();
        results.forEach((path, list) -> {
            List<Double> sorted = new ArrayList<>(list);
            Collections.sort(sorted);
            double m = sorted.get(sorted.size() / 2);
            median.put(path, m);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %s |%n", path, m,
                    String.join(", ", list.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList()));
        });
        double copy = median.get("binary COPY (sink)");
        double pipelined = median.get("binary COPY, pipelined as the sink runs it");
        System.out.printf(Locale.ROOT, "%nbinary COPY / prepared INSERT = %.2fx (pipelined: %.2fx); binary COPY / text "
                        + "COPY ceiling = %.2f; binary rows only / text rows only = %.2f; sink from Kafka / text COPY "
                        + "ceiling = %.2f%n",
                copy / median.get("prepared INSERT, reWriteBatchedInserts"),
                pipelined / median.get("prepared INSERT, reWriteBatchedInserts"),
                copy / median.get("text COPY, rows only (ceiling)"),
                median.get("binary COPY, rows only") / median.get("text COPY, rows only (ceiling)"),
                median.get("sink component from Kafka") / median.get("text COPY, rows only (ceiling)"));
        // each repetition's paths ran back to back, under the same load: their ratio is the steadier figure
        List<Double> paired = new ArrayList<>();
        List<Double> pipelinedRuns = results.get("binary COPY, pipelined as the sink runs it");
        List<Double> insertRuns = results.get("prepared INSERT, reWriteBatchedInserts");
        for (int i = 0; i < pipelinedRuns.size(); i++) {
            paired.add(pipelinedRuns.get(i) / insertRuns.get(i));
        }
        List<Double> sortedPairs = new ArrayList<>(paired);
        Collections.sort(sortedPairs);
        System.out.printf(Locale.ROOT, "pipelined COPY / prepared INSERT within each repetition: %s; median %.2fx%n",
                String.join(", ", paired.stream().map(v -> String.format(Locale.ROOT, "%.2fx", v)).toList()),
                sortedPairs.get(sortedPairs.size() / 2));
    }

    private static void record(String path, Map<String, List<Double>> results, long rows, double seconds) {
        double rate = rows / seconds;
        results.computeIfAbsent(path, k -> new ArrayList<>()).add(rate);
        System.out.printf(Locale.ROOT, "  %-42s %8.2f s  %,10.0f rows/s%n", path, seconds, rate);
    }

    // --- paths -----------------------------------------------------------------------------------------------

    private double copyPath(List<NodeMetrics> events, List<NodeMetrics> warmup, int batch, int rep) throws Exception {
        SinkConfig config = freshDatabase("copy" + rep);
        BatchEncoder encoder = new BatchEncoder(f -> { });
        BatchWriter writer = new BatchWriter(config.groupId(), config.repairSettle());
        Map<org.apache.kafka.common.TopicPartition, Long> stored = new HashMap<>();
        try (Connection c = Database.connect(config.jdbcUrl(), config.writer(), "bench-copy", config.socketTimeout())) {
            writeAll(warmup, batch, "warmup", recs -> {
                EncodedBatch b = encoder.encode(recs, false);
                writer.write(c, b, stored);
                stored.putAll(b.nextOffsets);
            });
            long encodeNanos = 0;
            Meter m = new Meter(backendPid(c));
            for (List<SinkRecord> recs : batches(events, batch, "valid")) {
                long e0 = System.nanoTime();
                EncodedBatch b = encoder.encode(recs, false);
                encodeNanos += System.nanoTime() - e0;
                writer.write(c, b, stored);
                stored.putAll(b.nextOffsets);
            }
            double s = m.stop("binary COPY", rows(events));
            System.out.printf(Locale.ROOT, "    (binary COPY: encoding took %.2f s of %.2f s)%n", encodeNanos / 1e9, s);
            return s;
        }
    }

    /** As the sink runs: the next batch is encoded while the writer thread commits the previous one. */
    private double pipelinedCopyPath(List<NodeMetrics> events, List<NodeMetrics> warmup, int batch, int rep)
            throws Exception {
        SinkConfig config = freshDatabase("pipe" + rep);
        BatchEncoder encoder = new BatchEncoder(f -> { });
        BatchWriter writer = new BatchWriter(config.groupId(), config.repairSettle());
        Map<org.apache.kafka.common.TopicPartition, Long> stored = new HashMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Connection c = Database.connect(config.jdbcUrl(), config.writer(), "bench-pipe", config.socketTimeout())) {
            BatchWork serial = recs -> {
                EncodedBatch b = encoder.encode(recs, false);
                writer.write(c, b, stored);
                stored.putAll(b.nextOffsets);
            };
            writeAll(warmup, batch, "warmup", serial);
            Meter m = new Meter(backendPid(c));
            java.util.concurrent.Future<EncodedBatch> inFlight = null;
            for (List<SinkRecord> recs : batches(events, batch, "valid")) {
                EncodedBatch b = encoder.encode(recs, false);
                if (inFlight != null) {
                    stored.putAll(inFlight.get().nextOffsets);
                }
                Map<org.apache.kafka.common.TopicPartition, Long> expected = new HashMap<>(stored);
                inFlight = pool.submit(() -> {
                    writer.write(c, b, expected);
                    return b;
                });
            }
            if (inFlight != null) {
                inFlight.get();
            }
            return m.stop("pipelined", rows(events));
        } finally {
            pool.shutdownNow();
        }
    }

    private double insertPath(List<NodeMetrics> events, List<NodeMetrics> warmup, int batch, int rep) throws Exception {
        SinkConfig config = freshDatabase("insert" + rep);
        BatchEncoder encoder = new BatchEncoder(f -> { });
        BatchWriter writer = new BatchWriter(config.groupId(), config.repairSettle());
        Map<org.apache.kafka.common.TopicPartition, Long> stored = new HashMap<>();
        Properties p = new Properties();
        p.setProperty("user", config.writer().user());
        p.setProperty("password", config.writer().password());
        p.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), p)) {
            c.setAutoCommit(false);
            InsertStatements inserts = new InsertStatements(c);
            writeAll(warmup, batch, "warmup", recs -> insertBatch(c, inserts, writer, encoder, recs, stored));
            Meter m = new Meter(backendPid(c));
            for (List<SinkRecord> recs : batches(events, batch, "valid")) {
                insertBatch(c, inserts, writer, encoder, recs, stored);
            }
            return m.stop("prepared INSERT", rows(events));
        }
    }

    private static void insertBatch(Connection c, InsertStatements inserts, BatchWriter writer, BatchEncoder encoder,
                                    List<SinkRecord> recs, Map<org.apache.kafka.common.TopicPartition, Long> stored)
            throws Exception {
        for (SinkRecord r : recs) {
            inserts.add((NodeMetrics) r.value());
        }
        inserts.executeAll();
        // the same bookkeeping as the COPY path: latest, inventory and fenced offsets
        EncodedBatch b = encoder.encode(recs, false);
        writer.writeBookkeeping(c, b, stored);
        writer.commit(c);
        stored.putAll(b.nextOffsets);
    }

    private double textCopyPath(List<NodeMetrics> events, List<NodeMetrics> warmup, int batch, int rep)
            throws Exception {
        SinkConfig config = freshDatabase("text" + rep);
        try (Connection c = Database.connect(config.jdbcUrl(), config.writer(), "bench-text", config.socketTimeout())) {
            c.setAutoCommit(false);
            writeAll(warmup, batch, "warmup", recs -> textCopy(c, recs));
            Meter m = new Meter(backendPid(c));
            for (List<SinkRecord> recs : batches(events, batch, "valid")) {
                textCopy(c, recs);
            }
            return m.stop("text COPY", rows(events));
        }
    }

    /** The sink's encoder and COPY, without the bookkeeping statements: the row ingest alone. */
    private double binaryRowsOnlyPath(List<NodeMetrics> events, List<NodeMetrics> warmup, int batch, int rep)
            throws Exception {
        SinkConfig config = freshDatabase("binrows" + rep);
        BatchEncoder encoder = new BatchEncoder(f -> { });
        try (Connection c = Database.connect(config.jdbcUrl(), config.writer(), "bench-binrows",
                config.socketTimeout())) {
            c.setAutoCommit(false);
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            BatchWork work = recs -> {
                EncodedBatch b = encoder.encode(recs, false);
                for (TableCopy t : b.copies.values()) {
                    copy.copyIn("COPY " + t.table + " (" + t.columnList() + ") FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(t.rows.buffer(), 0, t.rows.size()));
                }
                c.commit();
            };
            writeAll(warmup, batch, "warmup", work);
            Meter m = new Meter(backendPid(c));
            writeAll(events, batch, "valid", work);
            return m.stop("binary rows only", rows(events));
        }
    }

    private double sinkFromKafka(List<NodeMetrics> events, int batch, int rep) throws Exception {
        SinkConfig base = freshDatabase("kafka" + rep);
        String prefix = "bench." + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix, Fixtures.SERDES);
        String bootstrap = env.getOrDefault("NODEPULSE_KAFKA_BOOTSTRAP", "127.0.0.1:29092");
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(kafka)) {
            TopicAdmin.createMissing(admin, topics, 3, (short) 1, Duration.ofSeconds(30));
            Map<String, Object> p = new HashMap<>(kafka);
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + UUID.randomUUID());
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            try (KafkaProducer<byte[], byte[]> producer =
                         new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                for (int i = 0; i < events.size(); i += 2000) {
                    producer.beginTransaction();
                    for (NodeMetrics e : events.subList(i, Math.min(events.size(), i + 2000))) {
                        producer.send(new ProducerRecord<>(topics.metricsValid().name(), e.getNode().getBytes(),
                                Fixtures.SERDES.nodeMetrics().serialize(null, e)));
                    }
                    producer.commitTransaction();
                }
            }
            Map<String, Object> sinkKafka = new HashMap<>(kafka);
            sinkKafka.put("fetch.max.bytes", 64 * 1024 * 1024);
            sinkKafka.put("max.partition.fetch.bytes", 16 * 1024 * 1024);
            SinkConfig config = new SinkConfig(base.jdbcUrl(), base.writer(), base.owner(), base.readerUser(), true,
                    "bench-sink", batch, Duration.ofMillis(200), base.retryBackoffMin(), base.retryBackoffMax(),
                    base.startupTimeout(), base.socketTimeout(), base.repairSettle(), base.repairInterval(), false,
                    base.retentionRaw(), base.retention1m(), base.retention1h(), base.retentionInterval(), sinkKafka);
            MetricRegistry registry = new MetricRegistry();
            double seconds;
            try (Connection c = Database.connect(config.jdbcUrl(), config.owner(), "bench-check", config.socketTimeout())) {
                try (Sink sink = Sink.start(config, topics, Fixtures.SERDES, registry)) {
                    // timed from the first committed batch, so the consumer group's join delay is left out
                    long first;
                    while ((first = Fixtures.rows(c, Tables.NODE_EVENTS)) == 0) {
                        Thread.sleep(5);
                    }
                    int pid = (int) Fixtures.count(c, "SELECT coalesce(max(pid), -1) FROM pg_stat_activity WHERE "
                            + "application_name = 'nodepulse-sink-raw' AND datname = current_database()");
                    Meter m = new Meter(pid);
                    while (Fixtures.rows(c, Tables.NODE_EVENTS) < events.size()) {
                        Thread.sleep(20);
                    }
                    // scaled to all rows: the first batch was not timed
                    seconds = m.stop("sink from Kafka, after its first batch", rows(events) * (events.size() - first)
                            / events.size()) * events.size() / (events.size() - first);
                    if (!sink.readiness().ready()) {
                        throw new IllegalStateException("sink not ready after the run: " + sink.readiness());
                    }
                }
            }
            admin.deleteTopics(topics.all().stream().map(t -> t.name()).toList());
            return seconds;
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    /** CPU seconds of a local PostgreSQL backend (from /proc), or -1 when it cannot be read. */
    private static double backendCpu(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static double jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** Measures one timed section: wall time, and CPU of the JVM and of the given backend. */
    private static final class Meter {
        final long t0 = System.nanoTime();
        final double jvm0 = jvmCpu();
        final int pid;
        final double pg0;

        Meter(int pid) {
            this.pid = pid;
            this.pg0 = backendCpu(pid);
        }

        double stop(String path, long rows) {
            double wall = (System.nanoTime() - t0) / 1e9;
            double jvm = jvmCpu() - jvm0;
            double pg = pg0 < 0 ? -1 : backendCpu(pid) - pg0;
            System.out.printf(Locale.ROOT, "    %-42s CPU: PostgreSQL backend %.2f s (%,.0f rows per backend CPU-s), "
                    + "JVM %.2f s%n", "(" + path + ")", pg, pg > 0 ? rows / pg : 0, jvm);
            return wall;
        }
    }

    private static long rows(List<NodeMetrics> events) {
        return events.size() * (long) Fixtures.rowsPerEvent().values().stream().mapToInt(Integer::intValue).sum();
    }

    private interface BatchWork {
        void accept(List<SinkRecord> records) throws Exception;
    }

    private static void writeAll(List<NodeMetrics> events, int batch, String topic, BatchWork work) throws Exception {
        for (List<SinkRecord> recs : batches(events, batch, topic)) {
            work.accept(recs);
        }
    }

    private static List<List<SinkRecord>> batches(List<NodeMetrics> events, int batch, String topic) {
        List<List<SinkRecord>> out = new ArrayList<>();
        List<SinkRecord> current = new ArrayList<>();
        long offset = 0;
        for (NodeMetrics e : events) {
            current.add(new SinkRecord(Source.METRICS, new ConsumerRecord<>(topic, 0, offset++, new byte[0],
                    new byte[0]), e, null));
            if (current.size() == batch) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** Batched prepared INSERT … ON CONFLICT DO NOTHING per table. */
    private static final class InsertStatements {
        private final Connection c;
        private final Map<String, PreparedStatement> byTable = new LinkedHashMap<>();

        InsertStatements(Connection c) throws SQLException {
            this.c = c;
            for (FamilyTable t : Tables.families()) {
                byTable.put(t.family().name(), prepare(Tables.data(t.table()),
                        t.rawColumns().stream().map(Column::name).toList()));
            }
            byTable.put("", prepare(Tables.NODE_EVENTS, BatchEncoder.NODE_EVENT_COLUMNS));
        }

        private PreparedStatement prepare(String table, List<String> cols) throws SQLException {
            return c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", cols) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(cols.size(), "?")) + ") ON CONFLICT DO NOTHING");
        }

        void add(NodeMetrics e) throws SQLException {
            OffsetDateTime time = OffsetDateTime.ofInstant(e.getEventTime(), ZoneOffset.UTC);
            PreparedStatement ev = byTable.get("");
            List<String> failed = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            long micros = 0;
            for (var col : e.getCollectors()) {
                micros += col.getDurationMicros();
                if (!col.getOk()) {
                    failed.add(col.getName());
                    if (col.getError() != null) {
                        errors.add(col.getName() + ": " + col.getError());
                    }
                }
            }
            int i = 1;
            ev.setString(i++, e.getCluster());
            ev.setString(i++, e.getNode());
            ev.setObject(i++, time);
            ev.setString(i++, e.getBootId());
            ev.setString(i++, e.getRunId());
            ev.setLong(i++, e.getSeq());
            ev.setString(i++, e.getKind().name());
            ev.setInt(i++, e.getIntervalMs());
            ev.setString(i++, e.getAgentVersion());
            ev.setInt(i++, e.getCollectors().size());
            ev.setArray(i++, c.createArrayOf("text", failed.toArray()));
            ev.setArray(i++, c.createArrayOf("text", errors.toArray()));
            ev.setLong(i, micros);
            ev.addBatch();
            SQLException[] failure = new SQLException[1];
            MetricFamilies.forEach(e, (family, device, record) -> {
                try {
                    PreparedStatement ps = byTable.get(family.name());
                    int p = 1;
                    for (Column col : Tables.forFamily(family).rawColumns()) {
                        switch (col.role()) {
                            case CLUSTER -> ps.setString(p++, e.getCluster());
                            case NODE -> ps.setString(p++, e.getNode());
                            case DEVICE -> ps.setString(p++, device);
                            case TIME -> ps.setObject(p++, time);
                            default -> set(ps, p++, col, col.field().value(record));
                        }
                    }
                    ps.addBatch();
                } catch (SQLException ex) {
                    failure[0] = ex;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
        }

        private static void set(PreparedStatement ps, int i, Column col, Object v) throws SQLException {
            if (v == null) {
                ps.setNull(i, switch (col.type()) {
                    case INT4 -> java.sql.Types.INTEGER;
                    case INT8 -> java.sql.Types.BIGINT;
                    case FLOAT8 -> java.sql.Types.DOUBLE;
                    case BOOL -> java.sql.Types.BOOLEAN;
                    case TIMESTAMPTZ -> java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
                    default -> java.sql.Types.VARCHAR;
                });
                return;
            }
            switch (col.type()) {
                case INT4 -> ps.setInt(i, ((Number) v).intValue());
                case INT8 -> ps.setLong(i, ((Number) v).longValue());
                case FLOAT8 -> ps.setDouble(i, ((Number) v).doubleValue());
                case BOOL -> ps.setBoolean(i, (Boolean) v);
                case TIMESTAMPTZ -> ps.setObject(i, OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
                default -> ps.setString(i, v.toString());
            }
        }

        void executeAll() throws SQLException {
            for (PreparedStatement ps : byTable.values()) {
                ps.executeBatch();
            }
        }
    }

    /** Rows only, text format, one COPY per table, one transaction per batch. */
    private static void textCopy(Connection c, List<SinkRecord> recs) throws Exception {
        Map<String, StringBuilder> byTable = new LinkedHashMap<>();
        for (SinkRecord r : recs) {
            NodeMetrics e = (NodeMetrics) r.value();
            String time = e.getEventTime().toString();
            StringBuilder ev = byTable.computeIfAbsent(Tables.NODE_EVENTS, k -> new StringBuilder());
            ev.append(esc(e.getCluster())).append('\t').append(esc(e.getNode())).append('\t').append(time).append('\t')
                    .append(esc(e.getBootId())).append('\t').append(esc(e.getRunId())).append('\t').append(e.getSeq())
                    .append('\t').append(e.getKind().name()).append('\t').append(e.getIntervalMs()).append('\t')
                    .append(esc(e.getAgentVersion())).append('\t').append(e.getCollectors().size())
                    .append("\t{}\t{}\t").append(e.getCollectors().stream().mapToLong(x -> x.getDurationMicros()).sum())
                    .append('\n');
            MetricFamilies.forEach(e, (family, device, record) -> {
                FamilyTable t = Tables.forFamily(family);
                StringBuilder sb = byTable.computeIfAbsent(Tables.data(t.table()), k -> new StringBuilder());
                boolean first = true;
                for (Column col : t.rawColumns()) {
                    if (!first) {
                        sb.append('\t');
                    }
                    first = false;
                    switch (col.role()) {
                        case CLUSTER -> sb.append(esc(e.getCluster()));
                        case NODE -> sb.append(esc(e.getNode()));
                        case DEVICE -> sb.append(esc(device));
                        case TIME -> sb.append(time);
                        default -> {
                            Object v = col.field().value(record);
                            sb.append(v == null ? "\\N" : v instanceof String s ? esc(s) : v instanceof Boolean b
                                    ? (b ? "t" : "f") : v.toString());
                        }
                    }
                }
                sb.append('\n');
            });
        }
        var copy = c.unwrap(PGConnection.class).getCopyAPI();
        for (Map.Entry<String, StringBuilder> t : byTable.entrySet()) {
            List<String> cols = t.getKey().equals(Tables.NODE_EVENTS) ? BatchEncoder.NODE_EVENT_COLUMNS
                    : Tables.forFamily(familyOf(t.getKey())).rawColumns().stream().map(Column::name).toList();
            copy.copyIn("COPY " + t.getKey() + " (" + String.join(", ", cols) + ") FROM STDIN",
                    new ByteArrayInputStream(t.getValue().toString().getBytes(StandardCharsets.UTF_8)));
        }
        c.commit();
    }

    private static String familyOf(String qualifiedTable) {
        String table = qualifiedTable.substring(qualifiedTable.indexOf('.') + 1);
        return Tables.families().stream().filter(t -> t.table().equals(table)).findFirst().orElseThrow()
                .family().name();
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    // --- databases -------------------------------------------------------------------------------------------

    private SinkConfig freshDatabase(String suffix) throws Exception {
        String name = "bench_sink_" + suffix;
        try (Connection c = DriverManager.getConnection(base + "postgres", adminUser, adminPassword);
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name + " OWNER " + env.get("NODEPULSE_DB_OWNER_USER"));
        }
        databases.add(name);
        try (Connection c = DriverManager.getConnection(base + name, adminUser, adminPassword);
             Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION timescaledb");
        }
        Map<String, String> e = new HashMap<>(env);
        e.put("NODEPULSE_JDBC_URL", base + name);
        e.put("NODEPULSE_RETENTION_ENABLED", "false");
        e.remove("NODEPULSE_DB_READER_PASSWORD_FILE");
        e.remove("NODEPULSE_PG_ADMIN_PASSWORD_FILE");
        SinkConfig config = SinkConfig.fromEnv(e);
        Migrator.migrate(config);
        try (Connection c = DriverManager.getConnection(base + "postgres", adminUser, adminPassword);
             Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
        return config;
    }

    private void dropDatabases() {
        try (Connection c = DriverManager.getConnection(base + "postgres", adminUser, adminPassword);
             Statement st = c.createStatement()) {
            for (String db : databases) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        } catch (SQLException ex) {
            System.err.println("could not drop the benchmark databases " + databases + ": " + ex.getMessage());
        }
    }
}
