package io.nodepulse.processor.sink;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Picks the sink's consumer and producer properties out of the KAFKA_* passthrough. */
final class KafkaProps {
    private KafkaProps() {
    }

    /** Unprefixed names the client knows, then {@code consumer.}-prefixed ones over them. */
    static Map<String, Object> consumer(Map<String, Object> kafka) {
        return pick(kafka, ConsumerConfig.configNames(), "consumer.");
    }

    /** Unprefixed names the client knows, then {@code producer.}-prefixed ones over them. */
    static Map<String, Object> producer(Map<String, Object> kafka) {
        return pick(kafka, ProducerConfig.configNames(), "producer.");
    }

    private static Map<String, Object> pick(Map<String, Object> kafka, Set<String> names, String prefix) {
        Map<String, Object> out = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        kafka.forEach((k, v) -> {
            if (k.startsWith(prefix) && names.contains(k.substring(prefix.length()))) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
