package io.nodepulse.agent.transport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer's properties: the agent's defaults, then the operator's {@code KAFKA_*} settings, then the
 * settings the spool's guarantees rest on, which cannot be changed.
 */
public final class ProducerProperties {
    /** Defaults an operator may override with KAFKA_* variables. */
    static final Map<String, Object> DEFAULTS = Map.ofEntries(
            Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"),
            Map.entry(ProducerConfig.LINGER_MS_CONFIG, 100),
            Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
            Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * 1024 * 1024),
            Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000L),
            Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000),
            Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
            Map.entry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000L),
            Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5),
            Map.entry(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, false),
            Map.entry(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, ""));

    private ProducerProperties() {
    }

    /**
     * Problems with the operator's settings: each names the variable. The producer must be idempotent with
     * acks=all, at most 5 requests in flight, byte-array serializers and no transactions.
     */
    public static List<String> problems(Map<String, Object> user) {
        List<String> problems = new ArrayList<>();
        Object acks = user.get(ProducerConfig.ACKS_CONFIG);
        if (acks != null && !List.of("all", "-1").contains(acks.toString().strip().toLowerCase(Locale.ROOT))) {
            problems.add("KAFKA_ACKS='" + acks + "': the agent requires acks=all, since the spool releases an event"
                    + " once Kafka acknowledges it; unset KAFKA_ACKS");
        }
        Object idem = user.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        if (idem != null && !"true".equalsIgnoreCase(idem.toString().strip())) {
            problems.add("KAFKA_ENABLE_IDEMPOTENCE='" + idem + "': the agent requires the idempotent producer (it "
                    + "keeps re-sent events in order); unset KAFKA_ENABLE_IDEMPOTENCE");
        }
        Object inFlight = user.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight != null) {
            try {
                int n = Integer.parseInt(inFlight.toString().strip());
                if (n < 1 || n > 5) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add("KAFKA_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION='" + inFlight + "' must be between 1 and 5"
                        + " (the idempotent producer keeps order only up to 5)");
            }
        }
        for (String fixed : List.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
            if (user.containsKey(fixed)) {
                problems.add(variable(fixed) + " cannot be set: the agent sends the spool's bytes without "
                        + "transactions; unset it");
            }
        }
        return problems;
    }

    /** The properties the producer is built with. */
    public static Map<String, Object> effective(Map<String, Object> user, String clientId) {
        Map<String, Object> props = new TreeMap<>(DEFAULTS);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.putAll(user);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** The producer's batch.size, read as Kafka reads it (a string value may have spaces around the number). */
    public static int batchSize(Map<String, Object> props) {
        return (Integer) ConfigDef.parseType(ProducerConfig.BATCH_SIZE_CONFIG,
                props.get(ProducerConfig.BATCH_SIZE_CONFIG), ConfigDef.Type.INT);
    }

    /**
     * Properties for an admin client that creates topics, from the producer's: those an admin client knows
     * (bootstrap servers, security), without the client id, with 10 s requests and 15 s calls.
     */
    public static Map<String, Object> admin(Map<String, Object> producerProps) {
        Map<String, Object> props = new HashMap<>();
        Set<String> known = AdminClientConfig.configNames();
        producerProps.forEach((k, v) -> {
            if (known.contains(k) && !k.equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    /** The environment variable that maps to a producer property. */
    public static String variable(String property) {
        return "KAFKA_" + property.toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
