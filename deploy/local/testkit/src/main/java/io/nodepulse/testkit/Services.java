package io.nodepulse.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shared services of this test JVM: the running local stack named by the environment
 * ({@code deploy/local/stack.sh env}), or containers started here when a Docker engine answers.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param jdbcBase         JDBC URL up to the database name, e.g. {@code jdbc:postgresql://127.0.0.1:25432/}
 * @param admin            superuser
 * @param owner            schema owner role
 * @param writer           sink role
 * @param reader           read-only role
 * @param origin           where they come from
 */
record Services(String bootstrapServers, String jdbcBase, Credentials admin, Credentials owner,
                Credentials writer, Credentials reader, String origin) {

    static final String HOW_TO = "Run the tests with './nodepulse test', which starts the local stack, or start it "
            + "yourself with 'deploy/local/stack.sh up' and export its settings with "
            + "'eval \"$(deploy/local/stack.sh env)\"' before 'mvn verify'.";

    /** Reads the local stack's settings, or returns null when none are exported. */
    static Services fromEnv(Map<String, String> env) {
        String bootstrap = env.get("NODEPULSE_KAFKA_BOOTSTRAP");
        String jdbc = env.get("NODEPULSE_JDBC_URL");
        if (blank(bootstrap) && blank(jdbc)) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        Credentials admin = login(env, "NODEPULSE_PG_ADMIN", problems);
        Credentials owner = login(env, "NODEPULSE_DB_OWNER", problems);
        Credentials writer = login(env, "NODEPULSE_DB_WRITER", problems);
        Credentials reader = login(env, "NODEPULSE_DB_READER", problems);
        if (blank(bootstrap)) {
            problems.add("NODEPULSE_KAFKA_BOOTSTRAP is unset");
        }
        if (blank(jdbc)) {
            problems.add("NODEPULSE_JDBC_URL is unset");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the local stack settings are incomplete: " + String.join("; ", problems)
                    + ". " + HOW_TO);
        }
        return new Services(bootstrap, jdbc.substring(0, jdbc.lastIndexOf('/') + 1), admin, owner, writer, reader,
                "local stack (" + bootstrap + ", " + jdbc + ")");
    }

    private static Credentials login(Map<String, String> env, String prefix, List<String> problems) {
        String user = env.get(prefix + "_USER");
        String file = env.get(prefix + "_PASSWORD_FILE");
        if (blank(user) || blank(file)) {
            problems.add(prefix + "_USER and " + prefix + "_PASSWORD_FILE must both be set");
            return null;
        }
        try {
            return new Credentials(user, Files.readString(Path.of(file), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            problems.add("cannot read " + prefix + "_PASSWORD_FILE " + file + ": " + e.getMessage());
            return null;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
