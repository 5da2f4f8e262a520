package io.nodepulse.processor.it;

import io.nodepulse.testkit.Stack;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients against the test stack: topic creation, a producer, read_committed reads. */
final class KafkaFixture {
    private KafkaFixture() {
    }

    static void createTopics(Stack stack, Topics topics, int partitions) {
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            TopicAdmin.createMissing(admin, topics, partitions, (short) 1, Duration.ofSeconds(30));
        }
    }

    static KafkaProducer<byte[], byte[]> producer(Stack stack) {
        Map<String, Object> c = new HashMap<>(stack.kafkaConfig());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Reads a topic from the beginning with read_committed until {@code done} holds (or the deadline passes),
     * then keeps reading for {@code quiet} to catch anything beyond the expected count.
     */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(Stack stack, String topic,
                                                              Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
                                                              Duration deadline, Duration quiet) {
        Map<String, Object> c = new HashMap<>(stack.kafkaConfig());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Instant end = Instant.now().plus(deadline);
            Instant quietUntil = null;
            while (Instant.now().isBefore(end) && (quietUntil == null || Instant.now().isBefore(quietUntil))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (quietUntil == null && done.test(out)) {
                    quietUntil = Instant.now().plus(quiet);
                }
            }
        }
        return out;
    }
}
