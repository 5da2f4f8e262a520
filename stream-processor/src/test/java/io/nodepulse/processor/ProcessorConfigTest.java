package io.nodepulse.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        env.put("NODEPULSE_SINK_ENABLED", "false");
        env.put("OTHER_TOOL_CONFIG_FILE", "/nonexistent/not-ours");
        return env;
    }

    @Test
    void aBlankBootstrapIsRequiredToo() {
        Map<String, String> env = new HashMap<>(minimal());
        env.put("KAFKA_BOOTSTRAP_SERVERS", " ");
        assertThatThrownBy(() -> ProcessorConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS is required");
    }

    @Test
    void defaults() {
        ProcessorConfig c = ProcessorConfig.fromEnv(minimal());
        assertThat(c.applicationId()).isEqualTo("nodepulse-processor");
        assertThat(c.topicPrefix()).isEqualTo("nodepulse.");
        assertThat(c.httpPort()).isEqualTo(9109);
        assertThat(c.topology().windows().grace1m()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.topology().windows().grace1h()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.topology().liveness().downAfterMissed()).isEqualTo(3);
        assertThat(c.topology().liveness().retireAfter()).isEqualTo(Duration.ofHours(24));
        assertThat(c.alertRules().nodeDown()).isNotNull();
        assertThat(c.sink()).isNull();
        Map<String, Object> p = c.streamsProperties();
        assertThat(p).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "nodepulse-processor")
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class)
                .containsEntry(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
    }

    @Test
    void kafkaPassthroughReachesEveryClientAndPrefixesAreChecked() {
        Map<String, String> env = minimal();
        env.put("KAFKA_SECURITY_PROTOCOL", "SSL");
        env.put("KAFKA_MAIN_CONSUMER_MAX_POLL_RECORDS", "2000");
        env.put("KAFKA_PRODUCER_LINGER_MS", "20");
        env.put("KAFKA_REPLICATION_FACTOR", "3");
        env.put("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2");
        ProcessorConfig c = ProcessorConfig.fromEnv(env);
        assertThat(c.streamsProperties()).containsEntry("security.protocol", "SSL")
                .containsEntry("main.consumer.max.poll.records", "2000").containsEntry("producer.linger.ms", "20")
                .containsEntry("replication.factor", "3").containsEntry("topic.min.insync.replicas", "2");
        assertThat(c.clientConfig()).containsEntry("security.protocol", "SSL")
                .containsEntry("bootstrap.servers", "kafka:9092").doesNotContainKey("replication.factor");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_PORT", "tcp://10.0.0.1:9092");
        env.put("KAFKA_CONSUMER_NO_SUCH_THING", "1");
        env.put("KAFKA_APPLICATION_ID", "mine");
        env.put("NODEPULSE_ROLLUP_GRACE_1M", "10m");
        env.put("NODEPULSE_ROLLUP_GRACE_1H", "1m");
        env.put("NODEPULSE_DOWN_AFTER_MISSED", "zero");
        env.put("NODEPULSE_ROCKSDB_CACHE_BYTES", "16MiB");
        env.put("NODEPULSE_ROCKSDB_WRITE_BUFFER_BYTES", "64MiB");
        env.put("NODEPULSE_ALERT_RULES_FILE", "/nonexistent/rules.yaml");
        env.put("NODEPULSE_RETIRE_AFTRE", "2d");
        assertThatThrownBy(() -> ProcessorConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS is required")
                .hasMessageContaining("KAFKA_PORT").hasMessageContaining("enableServiceLinks: false")
                .hasMessageContaining("KAFKA_CONSUMER_NO_SUCH_THING")
                .hasMessageContaining("KAFKA_APPLICATION_ID cannot be set")
                .hasMessageContaining("NODEPULSE_ROLLUP_GRACE_1M (PT10M) must not exceed")
                .hasMessageContaining("NODEPULSE_DOWN_AFTER_MISSED='zero'")
                .hasMessageContaining("NODEPULSE_ROCKSDB_WRITE_BUFFER_BYTES")
                .hasMessageContaining("NODEPULSE_ALERT_RULES_FILE: cannot read /nonexistent/rules.yaml")
                .hasMessageContaining("NODEPULSE_JDBC_URL is required")
                .hasMessageContaining("NODEPULSE_RETIRE_AFTRE is not a setting of the processor");
    }

    @Test
    void invalidRulesFileNamesTheRuleAndField(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules:\n  - {name: hot, metric: thermal.celsius, stat: max, comparator: '>',"
                + " threshold: 90, severity: loud}\n");
        Map<String, String> env = minimal();
        env.put("NODEPULSE_ALERT_RULES_FILE", rules.toString());
        assertThatThrownBy(() -> ProcessorConfig.fromEnv(env))
                .hasMessageContaining("rule 'hot': field 'severity'");
    }

    @Test
    void secretsFromFilesAreMaskedInTheDescription(@TempDir Path dir) throws Exception {
        Path pw = dir.resolve("writer.password");
        Files.writeString(pw, "s3cret-writer\n");
        Path owner = dir.resolve("owner.password");
        Files.writeString(owner, "s3cret-owner\n");
        Map<String, String> env = new HashMap<>(minimal());
        env.remove("NODEPULSE_SINK_ENABLED");
        env.put("NODEPULSE_JDBC_URL", "jdbc:postgresql://db:5432/nodepulse");
        env.put("NODEPULSE_DB_WRITER_PASSWORD_FILE", pw.toString());
        env.put("NODEPULSE_DB_OWNER_PASSWORD_FILE", owner.toString());
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"u\" password=\"kafka-secret\";");
        ProcessorConfig c = ProcessorConfig.fromEnv(env);
        assertThat(c.sink()).isNotNull();
        assertThat(c.sink().kafka()).containsEntry("bootstrap.servers", "kafka:9092");
        assertThat(c.description()).contains("NODEPULSE_DB_WRITER_PASSWORD=****")
                .contains("KAFKA_SASL_JAAS_CONFIG=****")
                .doesNotContain("s3cret").doesNotContain("kafka-secret");
    }

    @Test
    void theLocalStacksWholeEnvironmentIsAccepted(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // what eval "$(deploy/local/stack.sh env)" exports (its cmd_env), seen by a processor started from that shell
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(Path.of("../deploy/local/stack.sh"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s+\"(NODEPULSE_[A-Z_]+)=").matcher(line);
            while (m.find()) {
                exported.add(m.group(1));
            }
        }
        assertThat(exported).contains("NODEPULSE_DB_READER_PASSWORD_FILE", "NODEPULSE_JDBC_URL");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "x\n");
        Map<String, String> env = new HashMap<>(minimal());
        env.remove("NODEPULSE_SINK_ENABLED");
        for (String name : exported) {
            env.put(name, name.endsWith("_FILE") ? pw.toString() : name.toLowerCase(java.util.Locale.ROOT));
        }
        env.put("NODEPULSE_JDBC_URL", "jdbc:postgresql://127.0.0.1:25432/nodepulse");
        env.put("NODEPULSE_PG_PORT", "25432");
        assertThat(ProcessorConfig.fromEnv(env).sink()).isNotNull();
    }
}
