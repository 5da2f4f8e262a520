package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path tmp;

    private Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_HOST_PROC", "/proc");
        env.put("NODEPULSE_HOST_SYS", "/sys");
        env.put("NODEPULSE_HOST_ROOT", "/");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    private AgentConfig run(Map<String, String> env) {
        return AgentConfig.fromEnv(env, AgentConfig.Mode.RUN, () -> "host-a", tmp);
    }

    @Test
    void defaultsNeedOnlyTheBootstrapServers() {
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
        assertThat(c.node()).isEqualTo("host-a");
        assertThat(c.nodeSource()).contains("hostname");
        assertThat(c.cluster()).isEqualTo("default");
        assertThat(c.topicPrefix()).isEqualTo("nodepulse.");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.spool().dir()).isEqualTo(Path.of("/var/lib/nodepulse/spool"));
        assertThat(c.spool().maxBytes()).isEqualTo(256L << 20);
        assertThat(c.spool().segmentBytes()).isEqualTo(16L << 20);
        assertThat(c.spool().fsync()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(c.spool().fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(9108);
        assertThat(c.createTopics()).isFalse();
        assertThat(c.producer()).containsExactly(Map.entry("bootstrap.servers", "kafka:9092"));
    }

    @Test
    void everySettingIsRead() {
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "NODE_NAME", "worker-1",
                "NODEPULSE_CLUSTER", "prod-eu", "NODEPULSE_TOPIC_PREFIX", "np.", "NODEPULSE_INTERVAL", "15s",
                "NODEPULSE_SPOOL_DIR", "/data/spool", "NODEPULSE_SPOOL_MAX_BYTES", "64MiB",
                "NODEPULSE_SPOOL_FSYNC", "always", "NODEPULSE_SPOOL_FSYNC_INTERVAL", "200ms",
                "NODEPULSE_SHUTDOWN_GRACE", "20s", "NODEPULSE_HTTP_HOST", "127.0.0.1", "NODEPULSE_HTTP_PORT", "9200",
                "NODEPULSE_CREATE_TOPICS", "true", "KAFKA_SECURITY_PROTOCOL", "SSL"));
        assertThat(c.node()).isEqualTo("worker-1");
        assertThat(c.nodeSource()).isEqualTo("NODE_NAME");
        assertThat(c.cluster()).isEqualTo("prod-eu");
        assertThat(c.topicPrefix()).isEqualTo("np.");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.spool().dir()).isEqualTo(Path.of("/data/spool"));
        assertThat(c.spool().maxBytes()).isEqualTo(64L << 20);
        assertThat(c.spool().segmentBytes()).isEqualTo(4L << 20);
        assertThat(c.spool().fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.spool().fsyncInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(9200);
        assertThat(c.createTopics()).isTrue();
        assertThat(c.producer()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void everyProblemIsReportedAtOnceNamingItsVariable() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> run(env(
                "KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "NODEPULSE_INTERVAL", "10x",
                "NODEPULSE_SPOOL_FSYNC", "sometimes",
                "NODEPULSE_SPOOL_MAX_BYTES", "12",
                "NODEPULSE_HTTP_PORT", "70000",
                "NODEPULSE_CLUSTER", "a/b",
                "NODEPULSE_SPOOL_DIR", "relative/spool",
                "KAFKA_ACKS", "1",
                "KAFKA_FOO_BAR", "1")));
        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(10);
        String all = e.getMessage();
        for (String name : new String[] {"NODE_NAME", "NODEPULSE_INTERVAL", "NODEPULSE_SPOOL_FSYNC",
            "NODEPULSE_SPOOL_MAX_BYTES", "NODEPULSE_HTTP_PORT", "NODEPULSE_CLUSTER", "NODEPULSE_SPOOL_DIR",
            "KAFKA_ACKS", "KAFKA_FOO_BAR", "KAFKA_BOOTSTRAP_SERVERS"}) {
            assertThat(all).contains(name);
        }
        assertThat(all).contains("downward API").contains("acks=all").contains("foo.bar");
    }

    @Test
    void producerValuesAreCheckedAtStart() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> run(env(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "NODE_NAME", "n1", "KAFKA_LINGER_MS", "soon",
                "KAFKA_SECURITY_PROTOCOL", "TLS", "KAFKA_BATCH_SIZE", "-5")));
        assertThat(e).isNotNull();
        assertThat(e.problems()).hasSize(3);
        assertThat(e.getMessage()).contains("KAFKA_LINGER_MS='soon'").contains("KAFKA_SECURITY_PROTOCOL='TLS'")
                .contains("KAFKA_BATCH_SIZE='-5'");
    }

    @Test
    void whatBuildingTheProducerWouldRejectIsAProblemAtStartNamingItsVariable() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> run(env(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka", "NODE_NAME", "n1", "NODEPULSE_INTERVAL", "10x")));
        assertThat(e).isNotNull();
        assertThat(e.problems()).as("reported with the other problems").hasSize(2);
        assertThat(e.getMessage()).contains("NODEPULSE_INTERVAL")
                .contains("KAFKA_BOOTSTRAP_SERVERS='kafka-0.kafka': 'kafka-0.kafka' is not host:port");

        Path missing = tmp.resolve("ca.crt");
        e = catchThrowableOfType(ConfigException.class, () -> run(env(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9093", "NODE_NAME", "n1", "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM", "KAFKA_SSL_TRUSTSTORE_LOCATION", missing.toString())));
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("KAFKA_SSL_TRUSTSTORE_LOCATION ")
                .contains("TLS").contains("NoSuchFileException: " + missing);

        e = catchThrowableOfType(ConfigException.class, () -> run(env(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9093", "NODE_NAME", "n1",
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")));
        assertThat(e).isNotNull();
        assertThat(e.problems()).singleElement().asString().startsWith("KAFKA_SASL_JAAS_CONFIG ")
                .contains("JAAS");
    }

    @Test
    void theProductionManifestsTlsAndSaslSetupIsAccepted() throws Exception {
        Path ca = tmp.resolve("ca.crt");
        try (var in = AgentConfigTest.class.getResourceAsStream("test-ca.crt")) {
            Files.copy(in, ca);
        }
        Path jaas = tmp.resolve("sasl.jaas.config");
        Files.writeString(jaas, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" "
                + "password=\"p\";\n");
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9093", "NODE_NAME", "n1",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(), "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", ca.toString()));
        assertThat(c.producer()).containsEntry("ssl.truststore.location", ca.toString());
    }

    @Test
    void brokerNamesAreNotResolvedAtStartSoADnsOutageIsNoConfigurationError() {
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "broker-0.kafka.invalid:9093,broker-1.kafka.invalid:9093",
                "KAFKA_SECURITY_PROTOCOL", "SSL"));
        assertThat(c.producer()).containsEntry("bootstrap.servers",
                "broker-0.kafka.invalid:9093,broker-1.kafka.invalid:9093");
    }

    @Test
    void kubernetesServiceLinkVariablesGetAHint() {
        assertThatThrownBy(() -> run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "NODE_NAME", "n1",
                "KAFKA_PORT", "tcp://10.0.0.7:9092")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KAFKA_PORT")
                .hasMessageContaining("enableServiceLinks: false");
    }

    @Test
    void secretsComeFromFilesAndAreMaskedWhenPrinted() throws Exception {
        Path jaas = tmp.resolve("jaas");
        String secret = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"agent\" "
                + "password=\"s3cr3t-value\";";
        Files.writeString(jaas, secret + "\n");
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9093", "NODE_NAME", "n1",
                "KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(), "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SSL_KEYSTORE_KEY", "-----BEGIN PRIVATE KEY-----abc"));
        assertThat(c.producer()).containsEntry("sasl.jaas.config", secret)
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.description()).contains("KAFKA_SASL_JAAS_CONFIG=****")
                .contains("KAFKA_SSL_KEYSTORE_KEY=****")
                .contains("KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT")
                .doesNotContain("s3cr3t").doesNotContain("BEGIN PRIVATE KEY");
    }

    @Test
    void anUnreadableSecretFileIsAProblem() {
        assertThatThrownBy(() -> run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9093", "NODE_NAME", "n1",
                "KAFKA_SASL_JAAS_CONFIG_FILE", tmp.resolve("missing").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KAFKA_SASL_JAAS_CONFIG_FILE");
    }

    @Test
    void unrelatedFileVariablesAreLeftAlone() {
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "TF_CLI_CONFIG_FILE", "/nonexistent",
                "NODEPULSE_PG_ADMIN_PASSWORD_FILE", "/nonexistent"));
        assertThat(c.description()).doesNotContain("TF_CLI").doesNotContain("NODEPULSE_PG_ADMIN");
    }

    @Test
    void aMisspeltSettingIsAnError() {
        assertThatThrownBy(() -> run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "NODEPULSE_SPOOL_FSYNCS", "always")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NODEPULSE_SPOOL_FSYNCS")
                .hasMessageContaining("not a setting of the agent");
    }

    @Test
    void theLocalStacksVariablesAreNotSettingsAndAreIgnored() {
        AgentConfig c = run(env("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "NODEPULSE_HOME", "/work/main/.nodepulse",
                "NODEPULSE_KAFKA_BOOTSTRAP", "127.0.0.1:29092", "NODEPULSE_JDBC_URL", "jdbc:postgresql://x/y",
                "NODEPULSE_PG_ADMIN_USER", "postgres", "NODEPULSE_DB_WRITER_USER", "w", "NODEPULSE_PSQL", "/bin/psql",
                "NODEPULSE_TMPDIR", "/tmp/x"));
        assertThat(c.description()).doesNotContain("NODEPULSE_HOME").doesNotContain("NODEPULSE_PG_ADMIN_USER");
    }

    @Test
    void onceNeedsNoKafka() {
        AgentConfig c = AgentConfig.fromEnv(env("KAFKA_PORT", "tcp://10.0.0.7:9092"), AgentConfig.Mode.ONCE,
                () -> "host-a", tmp);
        assertThat(c.mode()).isEqualTo(AgentConfig.Mode.ONCE);
        assertThat(c.node()).isEqualTo("host-a");
        assertThat(c.producer()).isEmpty();
    }

    @Test
    void anUnwritableTmpDirIsAProblem() {
        assertThatThrownBy(() -> AgentConfig.fromEnv(env("KAFKA_BOOTSTRAP_SERVERS", "k:9092"), AgentConfig.Mode.RUN,
                () -> "host-a", tmp.resolve("absent")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("java.io.tmpdir")
                .hasMessageContaining("emptyDir");
    }

    @Test
    void theProducerKeepsTheSettingsTheSpoolReliesOn() {
        Map<String, Object> props = ProducerProperties.effective(Map.of("bootstrap.servers", "k:9092",
                "linger.ms", "20", "buffer.memory", "8388608"), "nodepulse-agent-n1");
        assertThat(props).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("compression.type", "zstd").containsEntry("linger.ms", "20")
                .containsEntry("buffer.memory", "8388608").containsEntry("client.id", "nodepulse-agent-n1")
                .containsEntry("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        assertThat(ProducerProperties.problems(Map.of("enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "10", "transactional.id", "x")))
                .hasSize(3).anySatisfy(p -> assertThat(p).startsWith("KAFKA_ENABLE_IDEMPOTENCE"))
                .anySatisfy(p -> assertThat(p).startsWith("KAFKA_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION"))
                .anySatisfy(p -> assertThat(p).startsWith("KAFKA_TRANSACTIONAL_ID"));
    }

    @Test
    void theTopicAdminSharesTheProducersConnectionButNotItsClientId() {
        Map<String, Object> admin = ProducerProperties.admin(ProducerProperties.effective(Map.of(
                "bootstrap.servers", "k:9092", "security.protocol", "SSL", "request.timeout.ms", "30000"), "n1"));
        assertThat(admin).containsEntry("bootstrap.servers", "k:9092").containsEntry("security.protocol", "SSL")
                .containsEntry("request.timeout.ms", 10_000).containsEntry("default.api.timeout.ms", 15_000)
                .doesNotContainKeys("client.id", "acks", "linger.ms", "key.serializer");
    }
}
