package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A lane that waits to retry (its consumer paused) goes on once the database takes its rows again, even when a
 * rebalance took its partitions away and gave them back meanwhile: another member joins the lane's group while
 * the lane cannot write, and leaves again.
 */
class SinkRebalanceIT extends Fixtures.PreparedStack {
    @Test
    void aWaitingLaneResumesAfterItsPartitionsMovedAndCameBack() throws Exception {
        List<String> nodes = IntStream.range(0, 4).mapToObj(i -> "rebalance-" + i).toList();
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        List<NodeMetrics> events = Fixtures.events("rebalance", nodes, start, 18);
        Map<ReferenceRollups.Key, NodeRollup> rollups = ReferenceRollups.compute(events, Resolution.MINUTE);
        SinkConfig config = Fixtures.config(stack);
        String cpu1m = Tables.data(Tables.forFamily("cpu").rollupTable(Resolution.MINUTE));
        Map<String, Long> expected = new HashMap<>();
        for (FamilyTable t : Tables.families()) {
            expected.put(Tables.data(t.rollupTable(Resolution.MINUTE)), rollups.keySet().stream()
                    .filter(k -> k.family().equals(t.family().name())).count());
        }

        try (Connection c = stack.connect(stack.owner());
             KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack);
             Sink sink = Sink.start(config, topics, Fixtures.SERDES, new MetricRegistry())) {
            execute(c, "REVOKE INSERT ON " + cpu1m + " FROM " + stack.writer().user());
            Fixtures.send(producer, rollups.values().stream().map(r -> Fixtures.rollup(topics, r)).toList(), true);
            assertThat(Fixtures.await(Duration.ofSeconds(60), () -> sink.readiness().detail().stream()
                    .anyMatch(d -> d.startsWith("sink rollup: the database refused the batch"))))
                    .as("the rollup lane waits to retry").isTrue();

            // another member takes part of the lane's partitions, then leaves: two rebalances while it waits
            try (KafkaConsumer<byte[], byte[]> other = otherMember(Lane.ROLLUP.groupId(config.groupId()))) {
                other.subscribe(List.of(topics.rollup1m().name()));
                assertThat(Fixtures.await(Duration.ofSeconds(60), () -> {
                    other.poll(Duration.ofMillis(200));
                    return !other.assignment().isEmpty();
                })).as("the other member joined the lane's group").isTrue();
            }

            execute(c, "GRANT INSERT ON " + cpu1m + " TO " + stack.writer().user());
            assertThat(Fixtures.awaitRowCounts(c, expected, Duration.ofSeconds(90)))
                    .as("every rollup stored once the table takes rows again").isEqualTo(expected);
            assertThat(Fixtures.await(Duration.ofSeconds(30), () -> sink.readiness().ready())).isTrue();
        }
    }

    private KafkaConsumer<byte[], byte[]> otherMember(String groupId) {
        Map<String, Object> props = new HashMap<>(stack.kafkaConfig());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static void execute(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
