package io.nodepulse.agent.simulate;

import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.config.ConfigReader;
import io.nodepulse.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The simulator's environment, read like the agent's (same variable names and meaning): where to send, the
 * spool, and the producer's {@code KAFKA_*} properties. Unknown {@code NODEPULSE_*} variables are errors, except
 * the local stack's and the launcher's own.
 *
 * @param topicPrefix     prefix of the metrics and schemas topics
 * @param createTopics    create the metrics and schemas topics when missing
 * @param topicPartitions partitions of a metrics topic it creates
 * @param spoolDir        spool directory; null: a temporary one, removed at the end
 * @param spoolMaxBytes   the spool's byte budget
 * @param fsync           the spool's fsync policy
 * @param fsyncInterval   period of the interval policy
 * @param producer        producer properties from KAFKA_* (the simulator's defaults under them)
 * @param description     the effective settings, secrets masked
 */
public record SimulatorConfig(String topicPrefix, boolean createTopics, int topicPartitions, Path spoolDir,
                              long spoolMaxBytes, FsyncPolicy fsync, Duration fsyncInterval,
                              Map<String, Object> producer, String description) {
    public static final String TOPIC_PREFIX = "NODEPULSE_TOPIC_PREFIX";
    public static final String CREATE_TOPICS = "NODEPULSE_CREATE_TOPICS";
    public static final String TOPIC_PARTITIONS = "NODEPULSE_TOPIC_PARTITIONS";
    public static final String SPOOL_DIR = "NODEPULSE_SPOOL_DIR";
    public static final String SPOOL_MAX_BYTES = "NODEPULSE_SPOOL_MAX_BYTES";
    public static final String SPOOL_FSYNC = "NODEPULSE_SPOOL_FSYNC";
    public static final String SPOOL_FSYNC_INTERVAL = "NODEPULSE_SPOOL_FSYNC_INTERVAL";

    /**
     * Producer defaults for a whole fleet behind one producer, under the agent's and over them: a window of the
     * spool is half a batch, so larger batches mean fewer round trips per event.
     */
    static final Map<String, Object> FLEET_DEFAULTS = Map.of(
            ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);

    public SimulatorConfig {
        producer = Map.copyOf(producer);
    }

    public static SimulatorConfig fromEnv(Map<String, String> env) {
        ConfigReader r = ConfigReader.fromEnv(env);
        String prefix = r.string(TOPIC_PREFIX, Topics.DEFAULT_PREFIX);
        if (!prefix.matches("[a-zA-Z0-9._-]*")) {
            r.problem(TOPIC_PREFIX + "='" + prefix + "' may contain only letters, digits, '.', '_' and '-'");
        }
        boolean create = r.bool(CREATE_TOPICS, false);
        int partitions = r.integer(TOPIC_PARTITIONS, 6, 1, 10_000);
        Path dir = r.path(SPOOL_DIR, null);
        if (dir != null && !dir.isAbsolute()) {
            r.problem(SPOOL_DIR + "='" + dir + "' must be an absolute path");
        }
        long maxBytes = r.bytes(SPOOL_MAX_BYTES, 1L << 30, 1L << 20);
        FsyncPolicy fsync = r.oneOf(SPOOL_FSYNC, FsyncPolicy.class, FsyncPolicy.INTERVAL);
        Duration fsyncInterval = r.duration(SPOOL_FSYNC_INTERVAL, Duration.ofSeconds(1), Duration.ofMillis(10));
        Map<String, Object> user = r.kafka(ProducerConfig.configNames()::contains, "producer");
        for (String p : ProducerProperties.problems(user)) {
            r.problem(p);
        }
        // secrets (SASL/SSL passwords) are masked in the description; values are checked by the producer itself
        for (String property : user.keySet()) {
            ConfigDef.ConfigKey key = ProducerConfig.configDef().configKeys().get(property);
            if (key != null && key.type == ConfigDef.Type.PASSWORD) {
                r.secret(ProducerProperties.variable(property), null);
            }
        }
        r.requireBootstrapServers(user, "127.0.0.1:29092 (./nodepulse simulate sets it from the local stack)");
        r.rejectUnknown("NODEPULSE_", "simulator");
        r.throwIfProblems();
        Map<String, Object> producer = new HashMap<>(FLEET_DEFAULTS);
        producer.putAll(user);
        return new SimulatorConfig(prefix, create, partitions, dir, maxBytes, fsync, fsyncInterval, producer,
                r.describe());
    }
}
