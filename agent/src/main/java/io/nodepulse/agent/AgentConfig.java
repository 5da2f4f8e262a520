package io.nodepulse.agent;

import io.nodepulse.agent.collect.CollectSettings;
import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.spool.SpoolSettings;
import io.nodepulse.agent.transport.ProducerCheck;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.config.ConfigException;
import io.nodepulse.config.ConfigReader;
import io.nodepulse.topic.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The agent's settings, read from the environment (and {@code NODEPULSE_CONFIG_FILE}) and validated all at
 * once: {@link #fromEnv} throws a {@link ConfigException} naming every problem.
 *
 * @param mode           full agent, or {@code --once}
 * @param node           node name: the Kafka key and the event's node field
 * @param nodeSource     where the node name came from, for the start-up log
 * @param cluster        cluster name
 * @param topicPrefix    prefix of the topics
 * @param interval       collection interval
 * @param spool          spool directory, budget and fsync policy
 * @param shutdownGrace  how long SIGTERM may spend sending what is spooled
 * @param httpHost       address of the /healthz, /readyz and /metrics port
 * @param httpPort       that port; 0 picks a free one
 * @param createTopics   create the metrics and schemas topics when missing (local runs; needs CREATE rights)
 * @param producer       producer properties from KAFKA_* variables (the operator's part only)
 * @param collect        collection settings
 * @param description    the effective settings, secrets masked
 */
public record AgentConfig(Mode mode, String node, String nodeSource, String cluster, String topicPrefix,
                          Duration interval, SpoolSettings spool, Duration shutdownGrace, String httpHost,
                          int httpPort, boolean createTopics, Map<String, Object> producer, CollectSettings collect,
                          String description) {

    public enum Mode { RUN, ONCE }

    public static final String NODE_NAME = "NODE_NAME";
    public static final String CLUSTER = "NODEPULSE_CLUSTER";
    public static final String TOPIC_PREFIX = "NODEPULSE_TOPIC_PREFIX";
    public static final String INTERVAL = "NODEPULSE_INTERVAL";
    public static final String SPOOL_DIR = "NODEPULSE_SPOOL_DIR";
    public static final String SPOOL_MAX_BYTES = "NODEPULSE_SPOOL_MAX_BYTES";
    public static final String SPOOL_FSYNC = "NODEPULSE_SPOOL_FSYNC";
    public static final String SPOOL_FSYNC_INTERVAL = "NODEPULSE_SPOOL_FSYNC_INTERVAL";
    public static final String SHUTDOWN_GRACE = "NODEPULSE_SHUTDOWN_GRACE";
    public static final String HTTP_HOST = "NODEPULSE_HTTP_HOST";
    public static final String HTTP_PORT = "NODEPULSE_HTTP_PORT";
    public static final String CREATE_TOPICS = "NODEPULSE_CREATE_TOPICS";

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public AgentConfig {
        producer = Map.copyOf(producer);
    }

    /** The full agent's settings. */
    public static AgentConfig fromEnv(Map<String, String> env) {
        return fromEnv(env, Mode.RUN);
    }

    public static AgentConfig fromEnv(Map<String, String> env, Mode mode) {
        return fromEnv(env, mode, AgentConfig::hostname, Path.of(System.getProperty("java.io.tmpdir")));
    }

    static AgentConfig fromEnv(Map<String, String> env, Mode mode, Supplier<String> hostname, Path tmpDir) {
        ConfigReader r = ConfigReader.fromEnv(env);
        boolean kubernetes = r.isSet("KUBERNETES_SERVICE_HOST");
        String node = r.string(NODE_NAME, null);
        String nodeSource = NODE_NAME;
        if (node == null) {
            if (kubernetes) {
                r.problem(NODE_NAME + " is required inside Kubernetes: set it from the downward API "
                        + "(env: - name: NODE_NAME, valueFrom: fieldRef: fieldPath: spec.nodeName); the hostname "
                        + "of a pod is not the node's name");
            } else {
                node = hostname.get();
                nodeSource = "hostname (outside Kubernetes)";
                if (node == null || node.isBlank()) {
                    r.problem(NODE_NAME + " is unset and the hostname cannot be read; set " + NODE_NAME);
                }
            }
        }
        if (node != null && !node.isBlank() && !NODE.matcher(node).matches()) {
            r.problem(NODE_NAME + "='" + node + "' is not a valid node name (letters, digits, '.', '_', '-')");
        }
        String cluster = r.string(CLUSTER, "default");
        if (!CLUSTER_NAME.matcher(cluster).matches()) {
            r.problem(CLUSTER + "='" + cluster + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit");
        }
        Duration interval = r.duration(INTERVAL, Duration.ofSeconds(10), Duration.ofSeconds(1));
        if (interval.compareTo(Duration.ofHours(1)) > 0) {
            r.problem(INTERVAL + "=" + interval + " is longer than the 1h maximum");
            interval = Duration.ofHours(1);
        }
        CollectSettings collect = CollectSettings.fromConfig(r);
        if (!Files.isDirectory(tmpDir) || !Files.isWritable(tmpDir)) {
            r.problem("java.io.tmpdir=" + tmpDir + " is not a writable directory: JNA and zstd-jni unpack their "
                    + "native libraries there. Mount a writable emptyDir there (read-only root filesystem) or point "
                    + "-Djava.io.tmpdir elsewhere (./nodepulse passes NODEPULSE_TMPDIR)");
        }

        String topicPrefix = Topics.DEFAULT_PREFIX;
        SpoolSettings spool = null;
        Duration grace = Duration.ZERO;
        String httpHost = "0.0.0.0";
        int httpPort = 0;
        boolean createTopics = false;
        Map<String, Object> producer = Map.of();
        if (mode == Mode.RUN) {
            topicPrefix = r.string(TOPIC_PREFIX, Topics.DEFAULT_PREFIX);
            if (!topicPrefix.matches("[a-zA-Z0-9._-]*")) {
                r.problem(TOPIC_PREFIX + "='" + topicPrefix + "' may contain only letters, digits, '.', '_' and '-'");
            }
            Path spoolDir = r.path(SPOOL_DIR, "/var/lib/nodepulse/spool");
            if (spoolDir != null && !spoolDir.isAbsolute()) {
                r.problem(SPOOL_DIR + "='" + spoolDir + "' must be an absolute path");
            }
            long maxBytes = r.bytes(SPOOL_MAX_BYTES, 256L << 20, 1L << 20);
            FsyncPolicy fsync = r.oneOf(SPOOL_FSYNC, FsyncPolicy.class, FsyncPolicy.INTERVAL);
            Duration fsyncInterval = r.duration(SPOOL_FSYNC_INTERVAL, Duration.ofSeconds(1), Duration.ofMillis(10));
            spool = SpoolSettings.of(spoolDir, maxBytes, fsync, fsyncInterval);
            grace = r.duration(SHUTDOWN_GRACE, Duration.ofSeconds(10), Duration.ZERO);
            httpHost = r.string(HTTP_HOST, "0.0.0.0");
            httpPort = r.integer(HTTP_PORT, 9108, 0, 65535);
            createTopics = r.bool(CREATE_TOPICS, false);
            int problemsBefore = r.problems().size();
            producer = r.kafka(ProducerConfig.configNames()::contains, "producer");
            for (String p : ProducerProperties.problems(producer)) {
                r.problem(p);
            }
            r.requireBootstrapServers(producer, "kafka-0.kafka:9093 (only --once runs without Kafka)");
            Map<String, ConfigDef.ConfigKey> keys = ProducerConfig.configDef().configKeys();
            for (Map.Entry<String, Object> e : producer.entrySet()) {
                ConfigDef.ConfigKey key = keys.get(e.getKey());
                if (key == null) {
                    continue;
                }
                String variable = ProducerProperties.variable(e.getKey());
                boolean password = key.type == ConfigDef.Type.PASSWORD;
                if (password) {
                    r.secret(variable, null);
                }
                try {
                    Object parsed = ConfigDef.parseType(e.getKey(), e.getValue(), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(e.getKey(), parsed);
                    }
                } catch (org.apache.kafka.common.config.ConfigException bad) {
                    r.problem(variable + (password ? "" : "='" + e.getValue() + "'") + " is not a valid "
                            + e.getKey() + ": " + (password ? "wrong type or format" : bad.getMessage()));
                }
            }
            if (r.problems().size() == problemsBefore) {
                // each property is valid on its own: now what building the producer would reject
                for (String p : ProducerCheck.problems(producer)) {
                    r.problem(p);
                }
            }
        }
        if (mode == Mode.RUN) {
            r.rejectUnknown("NODEPULSE_", "agent");
        }
        r.throwIfProblems();
        String description = r.describe() + "node name: " + node + " (from " + nodeSource + ")\n";
        return new AgentConfig(mode, node, nodeSource, cluster, topicPrefix, interval, spool, grace, httpHost,
                httpPort, createTopics, producer, collect, description);
    }

    /** The kernel's hostname, else what the resolver says. */
    static String hostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException e) {
            // fall back to the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }
}
