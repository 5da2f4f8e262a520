package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

    @Test
    void defaultsAndTheAgentsVariables() {
        SimulatorConfig c = SimulatorConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:29092",
                "NODEPULSE_HOME", "/x", "NODEPULSE_KAFKA_BOOTSTRAP", "127.0.0.1:29092",
                "NODEPULSE_DB_WRITER_PASSWORD_FILE", "/nonexistent"));
        assertThat(c.topicPrefix()).isEqualTo("nodepulse.");
        assertThat(c.createTopics()).isFalse();
        assertThat(c.topicPartitions()).isEqualTo(6);
        assertThat(c.spoolDir()).as("a temporary spool").isNull();
        assertThat(c.spoolMaxBytes()).isEqualTo(1L << 30);
        assertThat(c.fsync()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(c.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.producer()).containsEntry("bootstrap.servers", "127.0.0.1:29092")
                .containsEntry("batch.size", 1024 * 1024);

        SimulatorConfig d = SimulatorConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "NODEPULSE_TOPIC_PREFIX", "demo.", "NODEPULSE_CREATE_TOPICS", "true", "NODEPULSE_SPOOL_DIR", "/tmp/s",
                "NODEPULSE_SPOOL_MAX_BYTES", "64MiB", "NODEPULSE_SPOOL_FSYNC", "never", "KAFKA_BATCH_SIZE", "65536",
                "KAFKA_SASL_JAAS_CONFIG", "secret-jaas"));
        assertThat(d.topicPrefix()).isEqualTo("demo.");
        assertThat(d.createTopics()).isTrue();
        assertThat(d.spoolDir()).isEqualTo(Path.of("/tmp/s"));
        assertThat(d.spoolMaxBytes()).isEqualTo(64L << 20);
        assertThat(d.fsync()).isEqualTo(FsyncPolicy.NEVER);
        assertThat(d.producer()).containsEntry("batch.size", "65536");
        assertThat(d.description()).doesNotContain("secret-jaas");
    }

    @Test
    void problemsAreReportedTogether() {
        assertThatThrownBy(() -> SimulatorConfig.fromEnv(Map.of("NODEPULSE_SPOOL_DIR", "relative",
                "NODEPULSE_INTERVAL", "10s", "KAFKA_ACKS", "1", "KAFKA_NO_SUCH_THING", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS is required")
                .hasMessageContaining("NODEPULSE_SPOOL_DIR='relative' must be an absolute path")
                .hasMessageContaining("NODEPULSE_INTERVAL is not a setting of the simulator")
                .hasMessageContaining("KAFKA_ACKS='1'")
                .hasMessageContaining("KAFKA_NO_SUCH_THING");
    }
}
