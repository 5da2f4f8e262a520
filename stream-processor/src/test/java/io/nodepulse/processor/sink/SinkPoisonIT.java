package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Records the database or the sink cannot store go to the DLQ with the reason in headers, and everything around
 * them is stored: a value the database refuses (a NUL byte in a text column, SQLState 22021) is isolated by
 * bisecting its batch; undecodable bytes and a rollup with an impossible resolution are refused before the
 * database sees them.
 */
class SinkPoisonIT extends Fixtures.PreparedStack {
    @Test
    void badRecordsGoToTheDlqAndTheRestFlows() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        List<NodeMetrics> good = Fixtures.events("poison", List.of("a", "b", "c", "d"), start, 30);
        NodeMetrics nul = Fixtures.events("poison", List.of("bad\u0000node"), start, 1).get(0);
        NodeRollup rollup = ReferenceRollups.compute(good.subList(0, 6), Resolution.MINUTE).values().iterator().next();
        NodeRollup oddRollup = NodeRollup.newBuilder(rollup).setResolutionSeconds(42).build();

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < good.size(); i++) {
            records.add(Fixtures.valid(topics, good.get(i)));
            if (i == 37) {
                records.add(Fixtures.valid(topics, nul));
                records.add(new ProducerRecord<>(topics.metricsValid().name(), "c".getBytes(),
                        "garbage, not Avro".getBytes(StandardCharsets.UTF_8)));
                records.add(new ProducerRecord<>(topics.rollup1m().name(), "a".getBytes(),
                        Fixtures.SERDES.nodeRollup().serialize(null, oddRollup)));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack)) {
            Fixtures.send(producer, records, true);
        }

        MetricRegistry registry = new MetricRegistry();
        try (Sink sink = Sink.start(Fixtures.config(stack), topics, Fixtures.SERDES, registry);
             Connection c = stack.connect(stack.owner())) {
            assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                    () -> Fixtures.rows(c, Tables.NODE_EVENTS) == good.size()
                            && Fixtures.rows(c, "nodepulse_data.pod") == 3L * good.size()))).isTrue();
            assertThat(Fixtures.count(c, "SELECT count(*) FROM nodepulse_data.cpu WHERE node LIKE 'bad%'")).isZero();
            assertThat(Fixtures.rows(c, "nodepulse_data.cpu_1m")).isZero();

            List<ConsumerRecord<byte[], byte[]>> dead = readDlq(3);
            Map<String, ConsumerRecord<byte[], byte[]>> byReason = new HashMap<>();
            dead.forEach(r -> byReason.put(header(r, "nodepulse.dlq.reason"), r));
            assertThat(byReason).containsOnlyKeys("sink-data-error", "sink-undecodable", "sink-bad-rollup");

            ConsumerRecord<byte[], byte[]> refused = byReason.get("sink-data-error");
            assertThat(header(refused, "nodepulse.dlq.sqlstate")).isEqualTo("22021");
            assertThat(header(refused, "nodepulse.dlq.topic")).isEqualTo(topics.metricsValid().name());
            assertThat(Fixtures.SERDES.nodeMetrics().deserialize(null, refused.value()).getNode())
                    .isEqualTo("bad\u0000node");
            assertThat(header(byReason.get("sink-undecodable"), "nodepulse.dlq.detail")).contains("BAD_MAGIC");
            assertThat(new String(byReason.get("sink-undecodable").value(), StandardCharsets.UTF_8))
                    .isEqualTo("garbage, not Avro");
            assertThat(header(byReason.get("sink-bad-rollup"), "nodepulse.dlq.detail")).contains("42");
            assertThat(header(byReason.get("sink-bad-rollup"), "nodepulse.dlq.offset")).isNotBlank();

            assertThat(registry.scrape())
                    .contains("nodepulse_sink_dlq_total{reason=\"sink-data-error\"} 1")
                    .contains("nodepulse_sink_dlq_total{reason=\"sink-undecodable\"} 1")
                    .contains("nodepulse_sink_dlq_total{reason=\"sink-bad-rollup\"} 1");
            assertThat(sink.readiness().ready()).isTrue();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private List<ConsumerRecord<byte[], byte[]>> readDlq(int expected) throws InterruptedException {
        Map<String, Object> p = new HashMap<>(stack.kafkaConfig());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.dlq().name()));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            // anything more would be a duplicate
            consumer.poll(Duration.ofSeconds(1)).forEach(out::add);
        }
        assertThat(out).hasSize(expected);
        return out;
    }
}
