package io.nodepulse.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A newer agent writes with a schema this build has never seen; an older processor, which knows only its own
 * schema and the bundled history, reads it through the schemas topic.
 */
@WithStack
class SchemaEvolutionIT {
    private static Topics topics;

    @BeforeAll
    static void createTopics(Stack stack) {
        topics = new Topics(stack.topicPrefix(), WireSerdes.offline());
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            TopicAdmin.createMissing(admin, topics, 1, (short) 1, Duration.ofSeconds(30));
        }
    }

    @Test
    void anOlderDecoderReadsANewerWriterThroughTheSchemasTopic(Stack stack) throws Exception {
        NodeMetrics event = SampleMetrics.event("it", "node-new", "boot-1", "run-9", 5,
                Instant.parse("2026-11-25T10:00:00Z"));
        byte[] bytes = writeWithNextSchema(stack, topics, event, "eu-1a");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(stack.kafkaConfig(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.metrics().name(), "node-new", bytes)).get();
        }

        WireSerdes offline = WireSerdes.offline();
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> offline.nodeMetrics().deserialize(topics.metrics().name(), bytes));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_FINGERPRINT);

        Map<String, Object> client = new HashMap<>(stack.kafkaConfig());
        try (WireSerdes old = new WireSerdes(SchemaCatalog.withSource(
                new SchemaTopic(topics.schemas().name(), client, Duration.ofSeconds(30))))) {
            Topics oldTopics = new Topics(stack.topicPrefix(), old);
            var received = WireRoundTripIT.consumeAll(stack, oldTopics, 1);
            assertThat(received).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(event));
        }
    }

    @Test
    void aFingerprintFoundNowhereIsReportedAsUnknown(Stack stack) {
        byte[] bytes = WireSerdes.offline().nodeMetrics().serialize("t", SampleMetrics.event("it", "n", "b", "r", 1,
                Instant.parse("2026-11-25T10:00:00Z")));
        for (int i = 2; i < 10; i++) {
            bytes[i] = 0x11;
        }
        try (WireSerdes serdes = new WireSerdes(SchemaCatalog.withSource(
                new SchemaTopic(topics.schemas().name(), stack.kafkaConfig(), Duration.ofSeconds(30))))) {
            WireFormatException e = catchThrowableOfType(WireFormatException.class,
                    () -> serdes.nodeMetrics().deserialize("t", bytes.clone()));
            assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_FINGERPRINT);
        }
    }

    @Test
    void aBadRecordInTheSchemasTopicHidesNothingAfterIt(Stack stack) throws Exception {
        Topics own = new Topics(stack.topicPrefix() + "bad.", WireSerdes.offline());
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            TopicAdmin.createMissing(admin, own, 1, (short) 1, Duration.ofSeconds(30));
        }
        // parses as JSON, but Avro refuses its default: not a SchemaParseException
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(stack.kafkaConfig(),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(own.schemas().name(), "0000000000000001",
                    "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\","
                            + "\"default\":\"x\"}]}")).get();
        }
        NodeMetrics event = SampleMetrics.event("it", "node-new", "boot-1", "run-9", 6,
                Instant.parse("2026-11-25T10:00:10Z"));
        byte[] bytes = writeWithNextSchema(stack, own, event, "eu-1b");

        try (WireSerdes old = new WireSerdes(SchemaCatalog.withSource(new SchemaTopic(own.schemas().name(),
                new HashMap<>(stack.kafkaConfig()), Duration.ofSeconds(30))))) {
            assertThat(old.nodeMetrics().deserialize(own.metrics().name(), bytes)).isEqualTo(event);
        }
    }

    /**
     * The event as a newer agent writes it (the next NodeMetrics schema, with a zone), after registering that
     * schema in the schemas topic, as the agent does before its first record.
     */
    private static byte[] writeWithNextSchema(Stack stack, Topics in, NodeMetrics event, String zone)
            throws Exception {
        Schema next = SchemaHistoryTest.load("/evolution/NodeMetrics-next.avsc");
        try (SchemaTopic schemasTopic = new SchemaTopic(in.schemas().name(), stack.kafkaConfig(),
                Duration.ofSeconds(30))) {
            schemasTopic.register(List.of(next));
        }
        return NextWriter.encode(next, event, Map.of("zone", zone));
    }
}
