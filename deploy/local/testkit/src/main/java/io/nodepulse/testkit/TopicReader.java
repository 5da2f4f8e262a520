package io.nodepulse.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic with a plain consumer of no group: every partition from its beginning. */
public final class TopicReader {
    private TopicReader() {
    }

    /**
     * The records of {@code topic} from the beginning up to its end as of the call, and on until at least
     * {@code atLeast} were read; keys are UTF-8 text. Fails when that takes longer than {@code timeout}.
     *
     * @param kafka  client configuration, e.g. {@link Stack#kafkaConfig()}
     * @param values decodes a value, e.g. {@code (topic, bytes) -> decoder.decode(bytes)}
     */
    public static <T> List<ConsumerRecord<String, T>> readToEnd(Map<String, Object> kafka, String topic,
                                                               Deserializer<T> values, int atLeast,
                                                               Duration timeout) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Instant deadline = Instant.now().plus(timeout);
            while (out.size() < atLeast || parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("timed out after " + timeout + " reading " + topic + " up to the end "
                            + "offsets " + end + ": " + out.size() + " record(s), at least " + atLeast + " wanted");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
