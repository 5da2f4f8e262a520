package io.nodepulse.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs {@link WithStack}. The services are found once per JVM: the local stack named by the environment, else
 * containers when a Docker engine answers, else the class fails with instructions. It never skips.
 */
public final class StackExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final Logger log = LoggerFactory.getLogger(StackExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StackExtension.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Services services;
    private static RuntimeException servicesFailure;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Services s = services();
        String suffix = HexFormat.of().formatHex(RANDOM.generateSeed(3));
        String name = context.getRequiredTestClass().getSimpleName();
        String topicPrefix = "it." + name + "." + suffix + ".";
        String database = ("it_" + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_"));
        database = database.substring(0, Math.min(database.length(), 40)) + "_" + suffix;
        try (Connection c = DriverManager.getConnection(s.jdbcBase() + "postgres", s.admin().user(),
                s.admin().password()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database + " OWNER " + s.owner().user());
        }
        try (Connection c = DriverManager.getConnection(s.jdbcBase() + database, s.admin().user(),
                s.admin().password()); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
        }
        Stack stack = new Stack(s.bootstrapServers(), topicPrefix, s.jdbcBase() + database, database, s.admin(),
                s.owner(), s.writer(), s.reader(), s.origin());
        context.getStore(NS).put(Stack.class, stack);
        log.info("{} uses database {} and topic prefix {} on the {}", name, database, topicPrefix, s.origin());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Stack stack = context.getStore(NS).remove(Stack.class, Stack.class);
        if (stack == null || "true".equals(System.getenv("NODEPULSE_KEEP_TEST_DATA"))) {
            return;
        }
        try (Admin admin = admin(stack.bootstrapServers())) {
            List<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(stack.topicPrefix())).toList();
            if (!mine.isEmpty()) {
                admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.warn("could not delete topics under {}: {}", stack.topicPrefix(), e.toString());
        }
        Services s = services;
        try (Connection c = DriverManager.getConnection(s.jdbcBase() + "postgres", s.admin().user(),
                s.admin().password()); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + stack.database() + " WITH (FORCE)");
        } catch (SQLException e) {
            log.warn("could not drop database {}: {}", stack.database(), e.toString());
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Stack stack = c.getStore(NS).get(Stack.class, Stack.class);
            if (stack != null) {
                return stack;
            }
        }
        throw new IllegalStateException("no Stack for " + context.getDisplayName()
                + ": annotate the test class with @WithStack");
    }

    private static synchronized Services services() {
        if (services != null) {
            return services;
        }
        if (servicesFailure != null) {
            throw servicesFailure;
        }
        try {
            Services found = Services.fromEnv(System.getenv());
            if (found == null) {
                if (!Containers.dockerAnswers()) {
                    throw new IllegalStateException("no Kafka and TimescaleDB for integration tests: "
                            + "NODEPULSE_KAFKA_BOOTSTRAP and NODEPULSE_JDBC_URL are unset and no Docker engine "
                            + "answers. " + Services.HOW_TO);
                }
                found = Containers.start();
            }
            check(found);
            services = found;
            return found;
        } catch (RuntimeException e) {
            servicesFailure = e;
            throw e;
        }
    }

    private static void check(Services s) {
        try (Admin admin = admin(s.bootstrapServers())) {
            admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka at " + s.bootstrapServers() + " (" + s.origin()
                    + ") does not answer: " + e + ". Check 'deploy/local/stack.sh status'. " + Services.HOW_TO, e);
        }
        try (Connection c = DriverManager.getConnection(s.jdbcBase() + "postgres", s.admin().user(),
                s.admin().password())) {
            c.isValid(10);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + s.jdbcBase() + " (" + s.origin()
                    + ") does not answer: " + e.getMessage() + ". Check 'deploy/local/stack.sh status'. "
                    + Services.HOW_TO, e);
        }
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }
}
