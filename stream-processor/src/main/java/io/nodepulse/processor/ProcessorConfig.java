package io.nodepulse.processor;

import io.nodepulse.config.ConfigReader;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.processor.liveness.LivenessSettings;
import io.nodepulse.processor.sink.SinkConfig;
import io.nodepulse.processor.window.RollupWindows;
import io.nodepulse.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor's whole configuration, read from the environment and validated at once: every problem is
 * reported together (see {@link ConfigReader}). {@code KAFKA_*} variables go to every Kafka client of the
 * process (Streams and its consumers and producers, the admin client, the sink's consumer); their names are
 * checked against the clients' known properties, with Streams' {@code consumer.}, {@code producer.},
 * {@code admin.}, {@code main.consumer.}, {@code restore.consumer.}, {@code global.consumer.} and
 * {@code topic.} prefixes.
 */
public record ProcessorConfig(String topicPrefix, String applicationId, Path stateDir, String httpHost,
                              int httpPort, PipelineTopology.Settings topology, AlertRules alertRules,
                              Path alertRulesFile, long rocksDbCacheBytes, long rocksDbWriteBufferBytes,
                              long streamsCacheBytes, int standbyReplicas, int streamThreads,
                              Duration commitInterval, boolean createTopics, int topicPartitions,
                              short topicReplication, Duration kafkaTimeout, Duration shutdownTimeout,
                              Map<String, Object> kafka, SinkConfig sink, String description) {

    private static final List<String> PREFIXES = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", "consumer.", "producer.", "admin.");

    public static ProcessorConfig fromEnv(Map<String, String> environment) {
        // only our own namespace: other X_FILE variables of the host (e.g. TF_CLI_CONFIG_FILE) are not secrets of ours
        Map<String, String> env = new HashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_")) {
                env.put(k, v);
            }
        });
        ConfigReader r = ConfigReader.fromEnv(env);
        String prefix = r.string("NODEPULSE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX);
        if (prefix != null && !prefix.matches("[a-zA-Z0-9._-]*")) {
            r.problem("NODEPULSE_TOPIC_PREFIX='" + prefix + "' may contain only letters, digits, '.', '_' and '-'");
        }
        String appId = r.string("NODEPULSE_APPLICATION_ID", "nodepulse-processor");
        Path stateDir = r.path("NODEPULSE_STATE_DIR", "/var/lib/nodepulse/processor");
        String httpHost = r.string("NODEPULSE_HTTP_HOST", "0.0.0.0");
        int httpPort = r.integer("NODEPULSE_HTTP_PORT", 9109, 0, 65535);

        Duration grace1m = r.duration("NODEPULSE_ROLLUP_GRACE_1M", Duration.ofSeconds(30), Duration.ZERO);
        Duration grace1h = r.duration("NODEPULSE_ROLLUP_GRACE_1H", Duration.ofMinutes(5), Duration.ZERO);
        if (grace1m.compareTo(grace1h) > 0) {
            r.problem("NODEPULSE_ROLLUP_GRACE_1M (" + grace1m + ") must not exceed NODEPULSE_ROLLUP_GRACE_1H ("
                    + grace1h + "): an event on time for its minute must be on time for its hour");
        }
        if (grace1h.compareTo(Duration.ofHours(6)) > 0) {
            r.problem("NODEPULSE_ROLLUP_GRACE_1H (" + grace1h + ") is above 6h; late events are repaired by the "
                    + "sink, so a long grace only delays the rollups and grows the window stores");
        }
        Duration maxFutureSkew = r.duration("NODEPULSE_MAX_FUTURE_SKEW", Duration.ofMinutes(5), Duration.ofSeconds(1));
        Duration maxAge = r.duration("NODEPULSE_MAX_AGE", Duration.ofDays(7), Duration.ofMinutes(1));
        double ratioTolerance = r.decimal("NODEPULSE_RATIO_TOLERANCE", 0.05, 0, 1);

        int downAfter = r.integer("NODEPULSE_DOWN_AFTER_MISSED", 3, 1, 1000);
        Duration stoppedAlert = r.duration("NODEPULSE_STOPPED_ALERT_AFTER", Duration.ofHours(1), Duration.ZERO);
        Duration retire = r.duration("NODEPULSE_RETIRE_AFTER", Duration.ofHours(24), Duration.ofMinutes(1));
        Duration forget = r.duration("NODEPULSE_FORGET_RETIRED_AFTER", Duration.ofDays(30), Duration.ofMinutes(1));
        Duration check = r.duration("NODEPULSE_LIVENESS_CHECK_INTERVAL", Duration.ofSeconds(5), Duration.ofMillis(100));
        if (retire.compareTo(stoppedAlert) <= 0) {
            r.problem("NODEPULSE_RETIRE_AFTER (" + retire + ") must be longer than NODEPULSE_STOPPED_ALERT_AFTER ("
                    + stoppedAlert + ")");
        }

        // NODEPULSE_ALERT_RULES_FILE follows the X_FILE convention: the reader puts the file's content in
        // NODEPULSE_ALERT_RULES (and reports an unreadable file); inline YAML there works too.
        String rulesPath = env.get("NODEPULSE_ALERT_RULES_FILE");
        Path rulesFile = rulesPath == null || rulesPath.isBlank() ? null : Path.of(rulesPath);
        String rulesText = r.string("NODEPULSE_ALERT_RULES", null);
        AlertRules rules = null;
        try {
            rules = rulesText == null ? AlertRules.bundled() : AlertRules.parse(
                    rulesFile != null ? rulesFile.toString() : "NODEPULSE_ALERT_RULES",
                    rulesText.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (AlertRules.AlertRulesException e) {
            e.problems().forEach(p -> r.problem("NODEPULSE_ALERT_RULES_FILE: " + p));
        }

        long cache = r.bytes("NODEPULSE_ROCKSDB_CACHE_BYTES", 256L << 20, 8L << 20);
        long writeBuffers = r.bytes("NODEPULSE_ROCKSDB_WRITE_BUFFER_BYTES", 128L << 20, 1L << 20);
        if (writeBuffers > cache) {
            r.problem("NODEPULSE_ROCKSDB_WRITE_BUFFER_BYTES (" + writeBuffers + ") must not exceed "
                    + "NODEPULSE_ROCKSDB_CACHE_BYTES (" + cache + "): memtables are charged to the shared cache");
        }
        long streamsCache = r.bytes("NODEPULSE_STREAMS_CACHE_BYTES", 16L << 20, 0);
        int standby = r.integer("NODEPULSE_STANDBY_REPLICAS", 0, 0, 10);
        int threads = r.integer("NODEPULSE_NUM_STREAM_THREADS", 1, 1, 64);
        Duration commit = r.duration("NODEPULSE_COMMIT_INTERVAL", Duration.ofMillis(100), Duration.ofMillis(10));
        boolean createTopics = r.bool("NODEPULSE_CREATE_TOPICS", false);
        int partitions = r.integer("NODEPULSE_TOPIC_PARTITIONS", 6, 1, 10_000);
        int replication = r.integer("NODEPULSE_TOPIC_REPLICATION", 1, 1, 32);
        Duration kafkaTimeout = r.duration("NODEPULSE_KAFKA_TIMEOUT", Duration.ofSeconds(30), Duration.ofSeconds(1));
        Duration shutdown = r.duration("NODEPULSE_SHUTDOWN_TIMEOUT", Duration.ofSeconds(30), Duration.ofSeconds(1));

        Map<String, Object> kafka = r.kafka(ProcessorConfig::knownKafkaProperty,
                "Kafka Streams, consumer, producer or admin client");
        r.requireBootstrapServers(kafka, "kafka-0.kafka:9092");
        for (String owned : List.of(StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                StreamsConfig.STATE_DIR_CONFIG)) {
            if (kafka.containsKey(owned)) {
                r.problem("KAFKA_" + owned.toUpperCase(java.util.Locale.ROOT).replace('.', '_') + " cannot be set: "
                        + owned + " is fixed by the processor (use the NODEPULSE_* setting where there is one)");
            }
        }
        boolean sinkEnabled = r.bool("NODEPULSE_SINK_ENABLED", true);
        SinkConfig sink = sinkEnabled ? SinkConfig.fromConfig(r).withKafka(kafka) : null;
        if (sinkEnabled) {
            // with the sink off its settings are not read, so they cannot be told from misspellings
            r.rejectUnknown("NODEPULSE_", "processor", true);
        }
        r.throwIfProblems();

        PipelineTopology.Settings topology = new PipelineTopology.Settings(new RollupWindows(grace1m, grace1h),
                maxFutureSkew, maxAge, ratioTolerance, new LivenessSettings(downAfter, stoppedAlert, retire, forget,
                check));
        return new ProcessorConfig(prefix, appId, stateDir, httpHost, httpPort, topology, rules, rulesFile, cache,
                writeBuffers, streamsCache, standby, threads, commit, createTopics, partitions, (short) replication,
                kafkaTimeout, shutdown, Map.copyOf(kafka), sink, r.describe());
    }

    static boolean knownKafkaProperty(String name) {
        if (name.startsWith("topic.")) {
            return name.length() > "topic.".length();
        }
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                String rest = name.substring(p.length());
                return p.startsWith("admin") ? AdminClientConfig.configNames().contains(rest)
                        : p.startsWith("producer") ? ProducerConfig.configNames().contains(rest)
                        : ConsumerConfig.configNames().contains(rest);
            }
        }
        return StreamsConfig.configDef().names().contains(name) || ConsumerConfig.configNames().contains(name)
                || ProducerConfig.configNames().contains(name) || AdminClientConfig.configNames().contains(name);
    }

    /** Connection settings for plain clients (admin, schemas topic): the KAFKA_* names those clients know. */
    public Map<String, Object> clientConfig() {
        Set<String> names = new java.util.HashSet<>(AdminClientConfig.configNames());
        names.retainAll(ConsumerConfig.configNames());
        names.retainAll(ProducerConfig.configNames());
        Map<String, Object> out = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Properties of the Kafka Streams client. */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> p = new TreeMap<>();
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putAll(kafka);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        p.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, streamsCacheBytes);
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        p.put(BoundedRocksDb.CACHE_BYTES, rocksDbCacheBytes);
        p.put(BoundedRocksDb.WRITE_BUFFER_BYTES, rocksDbWriteBufferBytes);
        p.putAll(PipelineTopology.requiredStreamsConfig());
        return p;
    }

    @Override
    public String toString() {
        return "ProcessorConfig[applicationId=" + applicationId + ", topicPrefix=" + topicPrefix + ", stateDir="
                + stateDir + ", sink=" + (sink == null ? "disabled" : "enabled") + "]";
    }
}
