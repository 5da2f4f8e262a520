package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.migrate.Migrator;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeState;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.topic.Topics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: a sink in its own JVM is killed with SIGKILL mid-stream, more data arrives while
 * no sink runs, and a new sink finishes the job. Every table ends with exactly the expected rows, the new sink
 * never meets a row it already stored (it resumed from the offsets stored with the rows), and records of an
 * aborted transaction never appear.
 */
class SinkExactlyOnceIT extends Fixtures.PreparedStack {
    static final String CLUSTER = "eo";

    @Test
    void killedSinkResumesFromStoredOffsetsWithoutDuplicatesOrGaps() throws Exception {
        List<String> nodes = IntStream.range(0, 12).mapToObj(i -> "node-" + i).toList();
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<NodeMetrics> all = Fixtures.events(CLUSTER, nodes, start, 60);
        List<NodeMetrics> first = all.stream().filter(e -> e.getSeq() <= 30).toList();
        List<NodeMetrics> second = all.stream().filter(e -> e.getSeq() > 30).toList();
        Map<ReferenceRollups.Key, NodeRollup> minute = ReferenceRollups.compute(all, Resolution.MINUTE);
        Map<ReferenceRollups.Key, NodeRollup> hour = ReferenceRollups.compute(all, Resolution.HOUR);

        try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack)) {
            // many small transactions, as Streams commits every commit.interval.ms
            sendInChunks(producer, first.stream().map(e -> Fixtures.valid(topics, e)).toList());
            // an aborted transaction: read_committed never shows it
            Fixtures.send(producer, Fixtures.events(CLUSTER, List.of("ghost"), start, 5).stream()
                    .map(e -> Fixtures.valid(topics, e)).toList(), false);

            Process child = startChild();
            try (Connection c = stack.connect(stack.owner())) {
                assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                        () -> Fixtures.rows(c, Tables.NODE_EVENTS) >= first.size() / 3)))
                        .as("the first sink stores some events").isTrue();
                child.destroyForcibly().waitFor();
                long atKill = Fixtures.rows(c, Tables.NODE_EVENTS);
                assertThat(atKill).isBetween(1L, (long) first.size());
            } finally {
                child.destroyForcibly();
            }

            sendInChunks(producer, second.stream().map(e -> Fixtures.valid(topics, e)).toList());
            List<ProducerRecord<byte[], byte[]>> rollups = new ArrayList<>();
            minute.values().forEach(r -> rollups.add(Fixtures.rollup(topics, r)));
            hour.values().forEach(r -> rollups.add(Fixtures.rollup(topics, r)));
            sendInChunks(producer, rollups);
            sendInChunks(producer, statusAndAlerts(nodes, start));
        }

        MetricRegistry registry = new MetricRegistry();
        MetricRegistry otherRegistry = new MetricRegistry();
        // small batches, so a second sink of the same group joins mid-stream and partitions move between them
        Map<String, String> env = Fixtures.env(stack, stack.jdbcUrl());
        env.put("NODEPULSE_SINK_BATCH_SIZE", "10");
        SinkConfig small = SinkConfig.fromEnv(env);
        try (Connection c = stack.connect(stack.owner());
             Sink sink = Sink.start(small, topics, Fixtures.SERDES, registry);
             Sink other = startWhenBusy(c, small, otherRegistry)) {
            Map<String, Long> expected = Fixtures.rowsFor(all.size());
            for (FamilyTable t : Tables.families()) {
                expected.put(Tables.data(t.rollupTable(Resolution.MINUTE)),
                        minute.keySet().stream().filter(k -> k.family().equals(t.family().name())).count());
                expected.put(Tables.data(t.rollupTable(Resolution.HOUR)),
                        hour.keySet().stream().filter(k -> k.family().equals(t.family().name())).count());
            }
            expected.put(Tables.NODE_STATUS, (long) nodes.size() + 1);
            expected.put(Tables.ALERTS, 3L);
            assertThat(Fixtures.awaitRowCounts(c, expected, Duration.ofSeconds(90)))
                    .as("every table reaches its exact count").isEqualTo(expected);
            // the sinks started at the stored offsets: they never met a stored row again
            for (MetricRegistry r : List.of(registry, otherRegistry)) {
                assertThat(r.scrape()).contains("nodepulse_sink_batch_fallbacks_total 0")
                        .contains("nodepulse_sink_duplicate_rows_total 0");
            }
            // liveness and alerts: history, inventory status, RETIRED out of the active views
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.active_nodes")).isEqualTo(nodes.size() - 1);
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.nodes WHERE node = 'node-0' "
                    + "AND status = 'RETIRED' AND NOT active")).isEqualTo(1);
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.latest")).isEqualTo(nodes.size() - 1);
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.active_alerts WHERE node = 'node-2' "
                    + "AND rule = 'filesystem-full' AND device = '/' AND labels ->> 'team' = 'infra'")).isEqualTo(1);
            // reconcile by (node, run, seq): every sequence number once, none missing
            assertThat(Fixtures.count(c, "SELECT count(*) FROM (SELECT node, run_id, count(*) AS n, min(seq) AS lo, "
                    + "max(seq) AS hi, count(DISTINCT seq) AS d FROM nodepulse.node_events GROUP BY node, run_id) s "
                    + "WHERE n = 60 AND lo = 1 AND hi = 60 AND d = 60")).isEqualTo(nodes.size());
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse_data.node_events WHERE node = 'ghost'"))
                    .as("rows of the aborted transaction").isZero();
            // each lane stored the ends of its topics under its own group
            assertThat(Fixtures.storedOffsets(c, Lane.RAW.groupId(small.groupId()))).isEqualTo(Fixtures.endOffsets(
                    stack, topics.metricsValid(), topics.nodeStatus(), topics.alerts()));
            assertThat(Fixtures.storedOffsets(c, Lane.ROLLUP.groupId(small.groupId()))).isEqualTo(Fixtures.endOffsets(
                    stack, topics.rollup1m(), topics.rollup1h()));
            // inventory and latest follow the events
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.nodes")).isEqualTo(nodes.size());
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse.nodes WHERE first_seen = timestamptz 'epoch' + "
                    + start.toEpochMilli() + " * interval '1 ms' AND boot_id = 'boot-' || node")).isEqualTo(nodes.size());
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse_data.latest l WHERE l.time = "
                    + "timestamptz 'epoch' + " + start.plusSeconds(590).toEpochMilli() + " * interval '1 ms'"))
                    .isEqualTo(nodes.size());
            assertThat(Fixtures.await(Duration.ofSeconds(30),
                    () -> sink.readiness().ready() && other.readiness().ready())).as("both sinks ready").isTrue();
        }
    }

    /** Every node UP, then node-0 RETIRED; a resolved and an open alert episode. */
    private List<ProducerRecord<byte[], byte[]>> statusAndAlerts(List<String> nodes, Instant start) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (String n : nodes) {
            out.add(status(n, NodeState.UP, NodeState.UNKNOWN, start, "first event"));
        }
        out.add(status("node-0", NodeState.RETIRED, NodeState.UP, start.plus(Duration.ofHours(1)), "away 24h"));
        out.add(alert("node-1", "cpu-busy", null, AlertState.FIRING, start.plusSeconds(120), start.plusSeconds(60)));
        out.add(alert("node-1", "cpu-busy", null, AlertState.RESOLVED, start.plusSeconds(300), start.plusSeconds(60)));
        out.add(alert("node-2", "filesystem-full", "/", AlertState.FIRING, start.plusSeconds(200), start.plusSeconds(100)));
        return out;
    }

    private ProducerRecord<byte[], byte[]> status(String node, NodeState state, NodeState previous, Instant since,
                                                  String reason) {
        NodeStatus s = NodeStatus.newBuilder().setCluster(CLUSTER).setNode(node).setState(state)
                .setPreviousState(previous).setSince(since).setLastSeen(since).setBootId("boot-" + node)
                .setRunId(null).setReboot(false).setReason(reason).build();
        return new ProducerRecord<>(topics.nodeStatus().name(), Topics.nodeKey(CLUSTER, node).getBytes(),
                Fixtures.SERDES.nodeStatus().serialize(null, s));
    }

    private ProducerRecord<byte[], byte[]> alert(String node, String rule, String device, AlertState state,
                                                 Instant at, Instant since) {
        Alert a = Alert.newBuilder().setCluster(CLUSTER).setNode(node).setRule(rule).setDevice(device)
                .setSeverity("warning").setState(state).setValue(0.97).setThreshold(0.9).setSince(since).setAt(at)
                .setSummary(rule + " on " + node).setLabels(Map.of("team", "infra")).build();
        return new ProducerRecord<>(topics.alerts().name(), Topics.nodeKey(CLUSTER, node).getBytes(),
                Fixtures.SERDES.alert().serialize(null, a));
    }

    @Test
    void refusedCredentialsFailFastWithTheirSetting() {
        Map<String, String> env = Fixtures.env(stack, stack.jdbcUrl());
        env.put("NODEPULSE_DB_WRITER_PASSWORD", "not-the-password");
        assertThatThrownBy(() -> Sink.start(SinkConfig.fromEnv(env), topics, Fixtures.SERDES, new MetricRegistry()))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageContaining(stack.writer().user()).hasMessageContaining("28P01")
                .hasMessageContaining("NODEPULSE_DB_WRITER_PASSWORD_FILE");
        Map<String, String> owner = Fixtures.env(stack, stack.jdbcUrl());
        owner.put("NODEPULSE_DB_OWNER_PASSWORD", "not-the-password");
        assertThatThrownBy(() -> Migrator.migrate(SinkConfig.fromEnv(owner)))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageContaining("28P01").hasMessageContaining("NODEPULSE_DB_OWNER_PASSWORD_FILE");
    }

    /** Starts a second sink once the first has stored some rows but not all. */
    private Sink startWhenBusy(Connection c, SinkConfig config, MetricRegistry registry) throws Exception {
        long before = Fixtures.rows(c, "nodepulse_data.cpu_1m");
        assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                () -> Fixtures.rows(c, "nodepulse_data.cpu_1m") > before))).isTrue();
        return Sink.start(config, topics, Fixtures.SERDES, registry);
    }

    private static void sendInChunks(KafkaProducer<byte[], byte[]> producer,
                                     List<ProducerRecord<byte[], byte[]>> records) {
        for (int i = 0; i < records.size(); i += 50) {
            Fixtures.send(producer, records.subList(i, Math.min(records.size(), i + 50)), true);
        }
    }

    private Process startChild() throws Exception {
        Path log = Files.createTempFile("sink-child", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SinkProcess.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_"));
        pb.environment().putAll(Fixtures.env(stack, stack.jdbcUrl()));
        pb.environment().put("NODEPULSE_TOPIC_PREFIX", stack.topicPrefix());
        pb.environment().put("NODEPULSE_SINK_BATCH_SIZE", "20");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        File f = log.toFile();
        boolean started = Fixtures.await(Duration.ofSeconds(30),
                Fixtures.quietly(() -> Files.readString(f.toPath()).contains("SINK STARTED") || !p.isAlive()));
        assertThat(started && p.isAlive()).as("child sink started; its log: %s", Files.readString(log)).isTrue();
        return p;
    }
}
