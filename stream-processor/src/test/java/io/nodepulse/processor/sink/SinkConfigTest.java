package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.config.ConfigException;
import io.nodepulse.config.ConfigReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> minimal() throws Exception {
        Path writer = Files.writeString(dir.resolve("writer"), "w-secret\n");
        Path owner = Files.writeString(dir.resolve("owner"), "o-secret\n");
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_JDBC_URL", "jdbc:postgresql://db:5432/nodepulse");
        env.put("NODEPULSE_DB_WRITER_PASSWORD_FILE", writer.toString());
        env.put("NODEPULSE_DB_OWNER_PASSWORD_FILE", owner.toString());
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        return env;
    }

    @Test
    void defaultsFollowTheContract() throws Exception {
        SinkConfig c = SinkConfig.fromEnv(minimal());
        assertThat(c.writer()).isEqualTo(new DbLogin("nodepulse_writer", "w-secret"));
        assertThat(c.owner()).isEqualTo(new DbLogin("nodepulse_owner", "o-secret"));
        assertThat(c.readerUser()).isEqualTo("nodepulse_reader");
        assertThat(c.migrate()).isTrue();
        assertThat(c.groupId()).isEqualTo("nodepulse-sink");
        assertThat(c.batchSize()).isEqualTo(1000);
        assertThat(c.linger()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.retentionRaw()).isEqualTo(Duration.ofDays(7));
        assertThat(c.retention1m()).isEqualTo(Duration.ofDays(90));
        assertThat(c.retention1h()).isEqualTo(Duration.ofDays(730));
        assertThat(c.retention(Tables.Tier.MINUTE)).isEqualTo(Duration.ofDays(90));
        assertThat(c.startupTimeout()).as("wait for the database as long as it takes").isNull();
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "kafka:9092");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_JDBC_URL", "postgres://db/x");
        env.put("NODEPULSE_SINK_BATCH_SIZE", "0");
        env.put("NODEPULSE_RETENTION_RAW", "7 days");
        env.put("NODEPULSE_SINK_RETRY_BACKOFF_MIN", "10s");
        env.put("NODEPULSE_SINK_RETRY_BACKOFF_MAX", "1s");
        env.put("NODEPULSE_DB_OWNER_USER", "nodepulse_writer");
        assertThatThrownBy(() -> SinkConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(7))
                .hasMessageContaining("must start with jdbc:postgresql://")
                .hasMessageContaining("NODEPULSE_DB_WRITER_PASSWORD (or NODEPULSE_DB_WRITER_PASSWORD_FILE) is required")
                .hasMessageContaining("NODEPULSE_DB_OWNER_PASSWORD (or NODEPULSE_DB_OWNER_PASSWORD_FILE) is required")
                .hasMessageContaining("NODEPULSE_SINK_BATCH_SIZE='0'")
                .hasMessageContaining("NODEPULSE_RETENTION_RAW='7 days'")
                .hasMessageContaining("must be at least NODEPULSE_SINK_RETRY_BACKOFF_MIN")
                .hasMessageContaining("must not write as the schema owner");
    }

    @Test
    void rollupsMustOutliveTheRawRowsTheyAreRebuiltFrom() throws Exception {
        Map<String, String> env = minimal();
        env.put("NODEPULSE_RETENTION_RAW", "30d");
        env.put("NODEPULSE_RETENTION_1M", "14d");
        assertThatThrownBy(() -> SinkConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("NODEPULSE_RETENTION_RAW (PT720H) <= NODEPULSE_RETENTION_1M (PT336H)");
    }

    @Test
    void ownerPasswordIsOptionalWhenNeitherMigrationsNorRetentionRun() throws Exception {
        Map<String, String> env = minimal();
        env.remove("NODEPULSE_DB_OWNER_PASSWORD_FILE");
        env.put("NODEPULSE_MIGRATE", "false");
        env.put("NODEPULSE_RETENTION_ENABLED", "false");
        assertThat(SinkConfig.fromEnv(env).owner().password()).isNull();
    }

    @Test
    void secretsAreMaskedWherePrinted() throws Exception {
        Map<String, String> env = minimal();
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"u\" password=\"kafka-secret\";");
        ConfigReader reader = ConfigReader.fromEnv(env);
        SinkConfig c = SinkConfig.fromConfig(reader);
        reader.throwIfProblems();
        assertThat(reader.describe()).contains("NODEPULSE_DB_WRITER_PASSWORD=****")
                .doesNotContain("w-secret", "o-secret", "kafka-secret");
        assertThat(c.toString()).doesNotContain("w-secret", "o-secret", "kafka-secret").contains("nodepulse_writer/****");
    }

    @Test
    void aPasswordInTheUrlIsRefused() throws Exception {
        Map<String, String> env = minimal();
        env.put("NODEPULSE_JDBC_URL", "jdbc:postgresql://db/x?user=a&password=b");
        assertThatThrownBy(() -> SinkConfig.fromEnv(env)).hasMessageContaining("must not carry a password");
        env.put("NODEPULSE_JDBC_URL", "jdbc:postgresql://db/x?sslkey=/k&sslpassword=hunter2");
        assertThatThrownBy(() -> SinkConfig.fromEnv(env)).hasMessageContaining("must not carry sslpassword");
    }
}
