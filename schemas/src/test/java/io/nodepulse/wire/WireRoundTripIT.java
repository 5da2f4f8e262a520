package io.nodepulse.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The wire contract against a real broker and a real TimescaleDB. */
@WithStack
class WireRoundTripIT {

    @Test
    void aNodeMetricsEventSurvivesKafkaAndLandsInAHypertable(Stack stack) throws Exception {
        WireSerdes serdes = WireSerdes.offline();
        Topics topics = new Topics(stack.topicPrefix(), serdes);
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            assertThat(TopicAdmin.createMissing(admin, topics, 3, (short) 1, Duration.ofSeconds(30)))
                    .contains(topics.metrics().name(), topics.schemas().name());
        }
        NodeMetrics sent = SampleMetrics.event("it", "node-a", "boot-1", "run-1", 2,
                Instant.parse("2026-11-25T10:00:10Z"));

        Map<String, Object> producerConfig = new HashMap<>(stack.kafkaConfig());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, NodeMetrics> producer = new KafkaProducer<>(producerConfig,
                topics.metrics().keySerde().serializer(), topics.metrics().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.metrics().name(), sent.getNode(), sent)).get();
        }

        List<ConsumerRecord<String, NodeMetrics>> received = consumeAll(stack, topics, 1);
        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("node-a");
            assertThat(r.value()).isEqualTo(sent);
            assertThat(r.value().getCpu()).isEqualTo(sent.getCpu());
            assertThat(r.value().getPods()).isEqualTo(sent.getPods());
        });

        NodeMetrics got = received.get(0).value();
        try (Connection c = stack.connect(stack.owner()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE wire_check (time timestamptz NOT NULL, node text NOT NULL, seq bigint, "
                    + "busy double precision, mem_used bigint)");
            st.execute("SELECT create_hypertable('wire_check', by_range('time'))");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wire_check VALUES (?, ?, ?, ?, ?)")) {
                ps.setTimestamp(1, Timestamp.from(got.getEventTime()));
                ps.setString(2, got.getNode());
                ps.setLong(3, got.getSeq());
                ps.setDouble(4, got.getCpu().getBusyRatio());
                ps.setLong(5, got.getMemory().getUsedBytes());
                ps.executeUpdate();
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM timescaledb_information.hypertables "
                    + "WHERE hypertable_name = 'wire_check'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            try (ResultSet rs = st.executeQuery("SELECT time, node, seq, busy, mem_used FROM wire_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getTimestamp(1).toInstant()).isEqualTo(sent.getEventTime());
                assertThat(rs.getString(2)).isEqualTo("node-a");
                assertThat(rs.getLong(3)).isEqualTo(2);
                assertThat(rs.getDouble(4)).isEqualTo(sent.getCpu().getBusyRatio());
                assertThat(rs.getLong(5)).isEqualTo(sent.getMemory().getUsedBytes());
            }
        }
    }

    static List<ConsumerRecord<String, NodeMetrics>> consumeAll(Stack stack, Topics topics, int expected) {
        Map<String, Object> config = new HashMap<>(stack.kafkaConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, stack.topicPrefix() + "reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, NodeMetrics>> out = new ArrayList<>();
        try (KafkaConsumer<String, NodeMetrics> consumer = new KafkaConsumer<>(config,
                topics.metrics().keySerde().deserializer(), topics.metrics().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.metrics().name()));
            Instant deadline = Instant.now().plusSeconds(60);
            while (out.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
