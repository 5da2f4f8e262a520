package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The lanes are independent: while the rollup lane cannot write (the writer lost INSERT on a rollup table),
 * every raw row is stored and readiness names the stuck lane; once it may write again, its rows land too. Each
 * lane keeps its offsets under its own group, and the rollup lane of an upgraded sink resumes where the
 * single-consumer sink stopped instead of reading the rollup topics from the beginning.
 */
class SinkLanesIT extends Fixtures.PreparedStack {
    @Test
    void rawRowsFlowWhileTheRollupLaneIsStuck() throws Exception {
        List<String> nodes = IntStream.range(0, 4).mapToObj(i -> "lane-" + i).toList();
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<NodeMetrics> all = Fixtures.events("lanes", nodes, start, 30);
        // minutes 0-1 were stored by a single-consumer sink before the upgrade; minutes 2-4 are new
        Map<ReferenceRollups.Key, NodeRollup> before = ReferenceRollups.compute(
                all.stream().filter(e -> e.getSeq() <= 12).toList(), Resolution.MINUTE);
        Map<ReferenceRollups.Key, NodeRollup> after = ReferenceRollups.compute(
                all.stream().filter(e -> e.getSeq() > 12).toList(), Resolution.MINUTE);
        SinkConfig config = Fixtures.config(stack);
        String cpu1m = Tables.data(Tables.forFamily("cpu").rollupTable(Resolution.MINUTE));
        MetricRegistry registry = new MetricRegistry();

        try (Connection c = stack.connect(stack.owner());
             KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack)) {
            Fixtures.send(producer, before.values().stream().map(r -> Fixtures.rollup(topics, r)).toList(), true);
            Map<TopicPartition, Long> upgradedAt = Fixtures.endOffsets(stack, topics.rollup1m());
            storeOffsets(c, config.groupId(), upgradedAt);
            revokeInsert(c, cpu1m);

            try (Sink sink = Sink.start(config, topics, Fixtures.SERDES, registry)) {
                Fixtures.send(producer, after.values().stream().map(r -> Fixtures.rollup(topics, r)).toList(), true);
                Fixtures.send(producer, all.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);

                Map<String, Long> raw = Fixtures.rowsFor(all.size());
                assertThat(Fixtures.awaitRowCounts(c, raw, Duration.ofSeconds(60)))
                        .as("every raw row stored while the rollup lane cannot write").isEqualTo(raw);
                assertThat(Fixtures.await(Duration.ofSeconds(30), () -> sink.readiness().detail().stream()
                        .anyMatch(d -> d.startsWith("sink rollup: the database refused the batch")))).isTrue();
                assertThat(sink.readiness().ready()).isFalse();
                assertThat(sink.readiness().detail()).anyMatch(d -> d.startsWith("sink raw: ok"));

                grantInsert(c, cpu1m);
                Map<String, Long> rollups = new HashMap<>();
                for (FamilyTable t : Tables.families()) {
                    rollups.put(Tables.data(t.rollupTable(Resolution.MINUTE)), after.keySet().stream()
                            .filter(k -> k.family().equals(t.family().name())).count());
                }
                // the rollups before the upgrade precede these in their partitions: they were skipped, not stored
                assertThat(Fixtures.awaitRowCounts(c, rollups, Duration.ofSeconds(60)))
                        .as("exactly the rollups after the upgrade").isEqualTo(rollups);
                assertThat(Fixtures.await(Duration.ofSeconds(30), () -> sink.readiness().ready())).isTrue();
                assertThat(sink.readiness().detail()).anyMatch(d -> d.startsWith("sink raw: ok"))
                        .anyMatch(d -> d.startsWith("sink rollup: ok"));
            }
            assertThat(Fixtures.storedOffsets(c, Lane.RAW.groupId(config.groupId())))
                    .as("the raw lane's offsets: its topics and the single-consumer sink's rows")
                    .isEqualTo(union(Fixtures.endOffsets(stack, topics.metricsValid()), upgradedAt));
            assertThat(Fixtures.storedOffsets(c, Lane.ROLLUP.groupId(config.groupId())))
                    .isEqualTo(Fixtures.endOffsets(stack, topics.rollup1m()));
            assertThat(registry.scrape()).containsPattern("nodepulse_sink_retries_total\\{cause=\"42501\"} [1-9]")
                    .contains("nodepulse_sink_batch_fallbacks_total 0")
                    .contains("nodepulse_sink_duplicate_rows_total 0");
        }
    }

    /** Offsets rows as a sink of {@code groupId} writes them. */
    private static void storeOffsets(Connection c, String groupId, Map<TopicPartition, Long> offsets)
            throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.SINK_OFFSETS
                + " (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                ps.setString(1, groupId);
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.setLong(4, e.getValue());
                ps.executeUpdate();
            }
        }
    }

    private void revokeInsert(Connection c, String table) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("REVOKE INSERT ON " + table + " FROM " + stack.writer().user());
        }
    }

    private void grantInsert(Connection c, String table) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("GRANT INSERT ON " + table + " TO " + stack.writer().user());
        }
    }

    private static Map<TopicPartition, Long> union(Map<TopicPartition, Long> a, Map<TopicPartition, Long> b) {
        Map<TopicPartition, Long> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
