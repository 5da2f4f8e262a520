package io.nodepulse.topic;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic's name, serdes and broker-side settings. Every module gets its topics from {@link Topics}, never by
 * spelling a name.
 *
 * @param name        full name, including the prefix
 * @param keySerde    key serde
 * @param valueSerde  value serde
 * @param cleanup     cleanup policy
 * @param configs     broker topic configs besides the cleanup policy (retention and the like)
 * @param description what the topic carries and how it is keyed
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Cleanup cleanup,
                          Map<String, String> configs, String description) {

    /** Kafka's cleanup.policy values. */
    public enum Cleanup {
        DELETE("delete"), COMPACT("compact");

        private final String config;

        Cleanup(String config) {
            this.config = config;
        }

        public String config() {
            return config;
        }
    }

    /** All broker configs of this topic, the cleanup policy included. */
    public Map<String, String> allConfigs() {
        Map<String, String> all = new java.util.TreeMap<>(configs);
        all.put("cleanup.policy", cleanup.config());
        return all;
    }
}
