package io.nodepulse.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka and TimescaleDB in containers, for machines with a Docker engine and no local stack. The TimescaleDB
 * image is the TSL build; the project never calls TSL-only features, and its migrations check
 * {@code timescaledb.license} to keep it that way.
 */
final class Containers {
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String TIMESCALE_IMAGE = "timescale/timescaledb:2.19.3-pg17";

    private Containers() {
    }

    static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @SuppressWarnings("resource")
    static Services start() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
        PostgreSQLContainer pg = new PostgreSQLContainer(
                DockerImageName.parse(TIMESCALE_IMAGE).asCompatibleSubstituteFor("postgres"));
        kafka.start();
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.stop();
            pg.stop();
        }));
        Credentials admin = new Credentials(pg.getUsername(), pg.getPassword());
        String base = pg.getJdbcUrl().substring(0, pg.getJdbcUrl().lastIndexOf('/') + 1);
        Credentials owner = new Credentials("nodepulse_owner", UUID.randomUUID().toString());
        Credentials writer = new Credentials("nodepulse_writer", UUID.randomUUID().toString());
        Credentials reader = new Credentials("nodepulse_reader", UUID.randomUUID().toString());
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(), admin.user(), admin.password());
             Statement st = c.createStatement()) {
            for (Credentials role : new Credentials[] {owner, writer, reader}) {
                st.execute("CREATE ROLE " + role.user() + " LOGIN PASSWORD '" + role.password() + "'");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the pipeline's roles in the TimescaleDB container", e);
        }
        return new Services(kafka.getBootstrapServers(), base, admin, owner, writer, reader,
                "Testcontainers (" + KAFKA_IMAGE + ", " + TIMESCALE_IMAGE + ")");
    }
}
