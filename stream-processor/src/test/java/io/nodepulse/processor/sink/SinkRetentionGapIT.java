package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Records the topic's retention deletes while the sink is away (a database outage longer than the retention)
 * cannot be stored any more: the sink says so and counts them, then stores everything after them. Before, the
 * consumer moved to the start of the log on its own and nothing told that records were missing.
 */
class SinkRetentionGapIT extends Fixtures.PreparedStack {
    private static final List<String> NODES = List.of("a", "b", "c", "d", "e", "f");

    @Test
    void recordsDeletedBeforeTheyWereStoredAreCountedAndTheRestIsStored() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<NodeMetrics> all = Fixtures.events("gap", NODES, start, 30);
        List<NodeMetrics> before = all.stream().filter(e -> e.getSeq() <= 10).toList();
        List<NodeMetrics> deleted = all.stream().filter(e -> e.getSeq() > 10 && e.getSeq() <= 20).toList();
        List<NodeMetrics> after = all.stream().filter(e -> e.getSeq() > 20).toList();
        String rawGroup = Lane.RAW.groupId(Fixtures.config(stack).groupId());
        String topic = topics.metricsValid().name();

        try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack);
             Connection c = stack.connect(stack.owner());
             Admin admin = Admin.create(stack.kafkaConfig())) {
            Fixtures.send(producer, before.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);
            try (Sink sink = Sink.start(Fixtures.config(stack), topics, Fixtures.SERDES, new MetricRegistry())) {
                assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                        () -> Fixtures.rows(c, Tables.NODE_EVENTS) == before.size()))).isTrue();
            }
            Map<TopicPartition, Long> stored = Fixtures.storedOffsets(c, rawGroup);

            // while the sink is away, retention deletes records it never stored
            Fixtures.send(producer, deleted.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            stored.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            long lostOffsets = 0;
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                delete.put(e.getKey(), RecordsToDelete.beforeOffset(e.getValue().offset()));
                lostOffsets += e.getValue().offset() - stored.get(e.getKey());
            }
            admin.deleteRecords(delete).all().get();
            Fixtures.send(producer, after.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);

            MetricRegistry registry = new MetricRegistry();
            try (Sink sink = Sink.start(Fixtures.config(stack), topics, Fixtures.SERDES, registry)) {
                Map<TopicPartition, Long> end = Fixtures.endOffsets(stack, topics.metricsValid());
                assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                        () -> Fixtures.storedOffsets(c, rawGroup).entrySet().containsAll(end.entrySet()))))
                        .as("the sink stores up to the end of the topic").isTrue();
                assertThat(Fixtures.rows(c, Tables.NODE_EVENTS)).isEqualTo(before.size() + after.size());
                assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse_data.node_events WHERE seq > 10 "
                        + "AND seq <= 20")).isZero();
                assertThat(registry.scrape()).contains("nodepulse_sink_offsets_deleted_unstored_total{topic=\""
                        + topic + "\"} " + lostOffsets + "\n");
                assertThat(sink.readiness().ready()).isTrue();
            }
        }
    }
}
