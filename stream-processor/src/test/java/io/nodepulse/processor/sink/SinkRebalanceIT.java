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
 * Lanes and their consumer groups. A lane that waits to retry (its consumer paused) goes on once the database takes its rows again, even when a
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

    @Test
    void aLaneWhoseLoopDiesIsReportedAsTheSinksFailure() throws Exception {
        Map<String, String> env = Fixtures.env(stack, stack.jdbcUrl());
        env.put("KAFKA_GROUP_INSTANCE_ID", "fenced-" + stack.database());
        SinkConfig config = SinkConfig.fromEnv(env);
        try (Sink sink = Sink.start(config, topics, Fixtures.SERDES, new MetricRegistry())) {
            assertThat(Fixtures.await(Duration.ofSeconds(60), () -> sink.readiness().ready())).isTrue();
            assertThat(sink.failure()).isNull();

            // a second member with the raw lane's static instance id fences the lane's consumer
            try (KafkaConsumer<byte[], byte[]> other = otherMember(Lane.RAW.groupId(config.groupId()),
                    "fenced-" + stack.database())) {
                other.subscribe(List.of(topics.metricsValid().name()));
                assertThat(Fixtures.await(Duration.ofSeconds(60), () -> {
                    other.poll(Duration.ofMillis(200));
                    return sink.failure() != null;
                })).as("the fenced lane's loop stopped").isTrue();
            }
            assertThat(sink.failure()).startsWith("sink raw stopped: ").contains("Fenced");
            assertThat(sink.running()).isFalse();
            assertThat(sink.readiness().ready()).isFalse();
        }
    }

    private KafkaConsumer<byte[], byte[]> otherMember(String groupId) {
        return otherMember(groupId, null);
    }

    private KafkaConsumer<byte[], byte[]> otherMember(String groupId, String instanceId) {
        Map<String, Object> props = new HashMap<>(stack.kafkaConfig());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        if (instanceId != null) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static void execute(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
