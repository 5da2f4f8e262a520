package io.nodepulse.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The services one integration test class may use: a Kafka cluster with a topic prefix of its own and a
 * TimescaleDB database of its own, with the pipeline's three roles.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topicPrefix      prefix for every topic this class creates, unique to the class
 * @param jdbcUrl          JDBC URL of the class's own database
 * @param database         that database's name
 * @param admin            a superuser (creates databases and the extension)
 * @param owner            the role that owns the schema and runs migrations and retention
 * @param writer           the role the sink writes as
 * @param reader           the read-only role
 * @param origin           where the services come from, for messages
 */
public record Stack(String bootstrapServers, String topicPrefix, String jdbcUrl, String database,
                    Credentials admin, Credentials owner, Credentials writer, Credentials reader, String origin) {

    /** Kafka client settings that reach the cluster. */
    public Map<String, Object> kafkaConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    /** A connection to this class's database. */
    public Connection connect(Credentials who) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", who.user());
        p.setProperty("password", who.password());
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /**
     * Environment variables in the applications' own naming that point them at this stack, e.g. for starting
     * the agent or the processor as a child process.
     */
    public Map<String, String> appEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("NODEPULSE_TOPIC_PREFIX", topicPrefix);
        env.put("NODEPULSE_JDBC_URL", jdbcUrl);
        return env;
    }
}
