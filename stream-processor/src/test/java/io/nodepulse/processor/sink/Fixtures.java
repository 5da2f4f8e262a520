package io.nodepulse.processor.sink;

import io.nodepulse.processor.migrate.Migrator;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topic;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** What the sink's integration tests share: configuration from the testkit's stack, topics, data, queries. */
final class Fixtures {
    static final WireSerdes SERDES = WireSerdes.offline();
    static final int PARTITIONS = 3;

    private Fixtures() {
    }

    /** What a sink integration test class extends: its stack, with the database migrated and the topics created. */
    @WithStack
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class PreparedStack {
        Stack stack;
        Topics topics;

        @BeforeAll
        void prepareStack(Stack s) throws Exception {
            stack = s;
            topics = prepare(s);
        }
    }

    /** The environment a processor would get, pointed at the stack's per-class database and topics. */
    static Map<String, String> env(Stack stack, String jdbcUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_JDBC_URL", jdbcUrl);
        env.put("NODEPULSE_DB_WRITER_USER", stack.writer().user());
        env.put("NODEPULSE_DB_WRITER_PASSWORD", stack.writer().password());
        env.put("NODEPULSE_DB_OWNER_USER", stack.owner().user());
        env.put("NODEPULSE_DB_OWNER_PASSWORD", stack.owner().password());
        env.put("NODEPULSE_DB_READER_USER", stack.reader().user());
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        // a killed sink leaves the group after this, not after the 45 s default
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("NODEPULSE_SINK_GROUP_ID", "sink-" + stack.database());
        env.put("NODEPULSE_SINK_BATCH_SIZE", "200");
        env.put("NODEPULSE_SINK_LINGER", "50ms");
        env.put("NODEPULSE_SINK_RETRY_BACKOFF_MIN", "100ms");
        env.put("NODEPULSE_SINK_RETRY_BACKOFF_MAX", "2s");
        env.put("NODEPULSE_REPAIR_SETTLE", "1s");
        env.put("NODEPULSE_REPAIR_INTERVAL", "200ms");
        env.put("NODEPULSE_RETENTION_ENABLED", "false");
        return env;
    }

    static SinkConfig config(Stack stack) {
        return SinkConfig.fromEnv(env(stack, stack.jdbcUrl()));
    }

    /** Migrates the class's database and creates its topics. */
    static Topics prepare(Stack stack) throws Exception {
        Migrator.migrate(config(stack));
        Topics topics = new Topics(stack.topicPrefix(), SERDES);
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            TopicAdmin.createMissing(admin, topics, PARTITIONS, (short) 1, Duration.ofSeconds(30));
        }
        return topics;
    }

    /** Events of {@code nodes} nodes, {@code count} each at 10 s intervals from {@code start}. */
    static List<NodeMetrics> events(String cluster, List<String> nodes, Instant start, int count) {
        List<NodeMetrics> out = new ArrayList<>();
        for (String node : nodes) {
            String run = UUID.nameUUIDFromBytes(("run-" + node).getBytes()).toString();
            for (int i = 0; i < count; i++) {
                out.add(SampleMetrics.event(cluster, node, "boot-" + node, run, i + 1,
                        start.plusMillis((long) i * SampleMetrics.INTERVAL_MS)));
            }
        }
        return out;
    }

    /** Rows each SampleMetrics event gives, by raw table (node_events included). */
    static Map<String, Integer> rowsPerEvent() {
        Map<String, Integer> m = new HashMap<>();
        for (FamilyTable t : Tables.families()) {
            m.put(Tables.data(t.table()), switch (t.family().name()) {
                case "disk", "filesystem", "interface" -> 2;
                case "pod" -> 3;
                default -> 1;
            });
        }
        m.put(Tables.NODE_EVENTS, 1);
        return m;
    }

    /** Rows of each raw table (node_events included) that {@code events} SampleMetrics events give. */
    static Map<String, Long> rowsFor(int events) {
        Map<String, Long> m = new HashMap<>();
        rowsPerEvent().forEach((table, n) -> m.put(table, (long) n * events));
        return m;
    }

    /** Polls until every table has exactly its expected number of rows or the deadline passes; the last counts. */
    static Map<String, Long> awaitRowCounts(Connection c, Map<String, Long> expected, Duration deadline)
            throws Exception {
        await(deadline, quietly(() -> rowCounts(c, expected.keySet()).equals(expected)));
        return rowCounts(c, expected.keySet());
    }

    private static Map<String, Long> rowCounts(Connection c, Set<String> tables) throws SQLException {
        Map<String, Long> m = new HashMap<>();
        for (String t : tables) {
            m.put(t, rows(c, t));
        }
        return m;
    }

    /** A transactional producer, as Streams writes with exactly_once_v2. */
    static KafkaProducer<byte[], byte[]> producer(Stack stack) {
        Map<String, Object> p = new HashMap<>(stack.kafkaConfig());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    /** Sends the records in one transaction, committed or aborted. */
    static void send(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records,
                     boolean commit) {
        producer.beginTransaction();
        for (ProducerRecord<byte[], byte[]> r : records) {
            producer.send(r);
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    static ProducerRecord<byte[], byte[]> valid(Topics topics, NodeMetrics e) {
        return new ProducerRecord<>(topics.metricsValid().name(), e.getNode().getBytes(),
                SERDES.nodeMetrics().serialize(null, e));
    }

    static ProducerRecord<byte[], byte[]> rollup(Topics topics, io.nodepulse.schema.NodeRollup r) {
        String topic = r.getResolutionSeconds() == 60 ? topics.rollup1m().name() : topics.rollup1h().name();
        return new ProducerRecord<>(topic, r.getNode().getBytes(), SERDES.nodeRollup().serialize(null, r));
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long rows(Connection c, String table) throws SQLException {
        return count(c, "SELECT count(*) FROM " + table);
    }

    /** The next offsets stored for a consumer group, by partition. */
    static Map<TopicPartition, Long> storedOffsets(Connection c, String groupId) throws SQLException {
        Map<TopicPartition, Long> m = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, partition, next_offset FROM "
                + Tables.SINK_OFFSETS + " WHERE group_id = ?")) {
            ps.setString(1, groupId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        }
        return m;
    }

    /**
     * The next offset a sink stores for each partition of {@code topics} that holds data: the end offset less
     * the commit marker that follows the last record batch.
     */
    static Map<TopicPartition, Long> endOffsets(Stack stack, Topic<?, ?>... topics) throws Exception {
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            for (Topic<?, ?> t : topics) {
                for (int p = 0; p < PARTITIONS; p++) {
                    req.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, Long> m = new HashMap<>();
            admin.listOffsets(req).all().get().forEach((tp, info) -> {
                if (info.offset() > 0) {
                    m.put(tp, info.offset() - 1);
                }
            });
            return m;
        }
    }

    /** Raw rows of the load family for one node, 10 s apart from {@code minute}, one per load1 value. */
    static void insertLoad(Connection c, String cluster, String node, Instant minute, double... load1)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.data(Tables.forFamily("load").table())
                + " (cluster, node, time, load1, load5, load15, uptime_seconds, boot_time) "
                + "VALUES (?, ?, ?, ?, 1, 1, 100, ?)")) {
            for (int i = 0; i < load1.length; i++) {
                ps.setString(1, cluster);
                ps.setString(2, node);
                ps.setObject(3, OffsetDateTime.ofInstant(minute.plusSeconds(10L * i), ZoneOffset.UTC));
                ps.setDouble(4, load1[i]);
                ps.setObject(5, OffsetDateTime.ofInstant(minute.minus(Duration.ofDays(1)), ZoneOffset.UTC));
                ps.executeUpdate();
            }
        }
    }

    /** A repair of the node's 1-minute load rollup at {@code minute}, due {@code dueSecondsAgo} ago. */
    static void queueLoadRepair(Connection c, String cluster, String node, Instant minute, int dueSecondsAgo)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.REPAIR_QUEUE + " (cluster, node, "
                + "family, resolution, bucket, not_before) VALUES (?, ?, 'load', '1m', ?, "
                + "now() - ? * interval '1 second')")) {
            ps.setString(1, cluster);
            ps.setString(2, node);
            ps.setObject(3, OffsetDateTime.ofInstant(minute, ZoneOffset.UTC));
            ps.setInt(4, dueSecondsAgo);
            ps.executeUpdate();
        }
    }

    /** Polls until the condition holds or the deadline passes. */
    static boolean await(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    /** A condition that may throw; failures count as "not yet". */
    interface Check {
        boolean test() throws Exception;
    }

    static BooleanSupplier quietly(Check check) {
        return () -> {
            try {
                return check.test();
            } catch (Exception e) {
                return false;
            }
        };
    }
}
