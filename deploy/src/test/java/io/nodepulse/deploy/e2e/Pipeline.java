package io.nodepulse.deploy.e2e;

import io.nodepulse.testkit.AppProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the packaged processor and agent as child JVMs for the end-to-end test and benchmark, with exactly the
 * environment each needs.
 */
final class Pipeline {
    private Pipeline() {
    }

    /** The repository root: -Dnodepulse.repo, else the working directory or its parent (the deploy module). */
    static Path repo() {
        String p = System.getProperty("nodepulse.repo");
        Path root = (p != null ? Path.of(p) : Files.isRegularFile(Path.of("nodepulse")) ? Path.of(".") : Path.of(".."))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("nodepulse"))) {
            throw new IllegalStateException("repository root not found at " + root + " (set -Dnodepulse.repo=<repo>)");
        }
        return root;
    }

    /** Where the processor runs: Kafka, topics, database and logins. */
    record Target(String bootstrap, String topicPrefix, String jdbcUrl, String ownerUser, String ownerPassword,
                  String writerUser, String writerPassword, String readerUser) {
    }

    /**
     * The processor's environment: the target, its own application id, sink group, state directory and ops port,
     * passwords in files (as in a cluster), then {@code extra} (liveness, grace, rules, ...).
     */
    static Map<String, String> processorEnv(Target t, Path work, int port, Map<String, String> extra)
            throws IOException {
        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Files.writeString(secrets.resolve("writer"), t.writerPassword());
        Files.writeString(secrets.resolve("owner"), t.ownerPassword());
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", t.bootstrap());
        env.put("NODEPULSE_TOPIC_PREFIX", t.topicPrefix());
        env.put("NODEPULSE_CREATE_TOPICS", "true");
        env.put("NODEPULSE_APPLICATION_ID", t.topicPrefix() + "processor");
        env.put("NODEPULSE_SINK_GROUP_ID", t.topicPrefix() + "sink");
        env.put("NODEPULSE_JDBC_URL", t.jdbcUrl());
        env.put("NODEPULSE_DB_WRITER_USER", t.writerUser());
        env.put("NODEPULSE_DB_WRITER_PASSWORD_FILE", secrets.resolve("writer").toString());
        env.put("NODEPULSE_DB_OWNER_USER", t.ownerUser());
        env.put("NODEPULSE_DB_OWNER_PASSWORD_FILE", secrets.resolve("owner").toString());
        env.put("NODEPULSE_DB_READER_USER", t.readerUser());
        env.put("NODEPULSE_STATE_DIR", Files.createDirectories(work.resolve("processor-state")).toString());
        env.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        env.put("NODEPULSE_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_REPLICATION_FACTOR", "1");
        env.putAll(extra);
        return env;
    }

    static AppProcess startProcessor(Map<String, String> env, Path work, List<String> jvmArgs) throws IOException {
        List<String> flags = new java.util.ArrayList<>(jvmArgs);
        flags.add("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("processor-tmp")));
        return AppProcess.start(repo().resolve("stream-processor"), "nodepulse-stream-processor.jar",
                "io.nodepulse.processor.Main", flags, List.of(), env, work.resolve("processor.log"));
    }

    /** The agent reading this host's /proc, /sys and / (no host prefix), as {@code ./nodepulse agent} runs it. */
    static Map<String, String> agentEnv(String bootstrap, String topicPrefix, String cluster, String node,
                                        Path spool, int port, String interval) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("NODEPULSE_TOPIC_PREFIX", topicPrefix);
        env.put("NODEPULSE_CLUSTER", cluster);
        env.put("NODE_NAME", node);
        env.put("NODEPULSE_HOST_PROC", "/proc");
        env.put("NODEPULSE_HOST_SYS", "/sys");
        env.put("NODEPULSE_HOST_ROOT", "/");
        env.put("NODEPULSE_SPOOL_DIR", spool.toString());
        env.put("NODEPULSE_INTERVAL", interval);
        env.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        env.put("NODEPULSE_HTTP_PORT", Integer.toString(port));
        env.put("NODEPULSE_SHUTDOWN_GRACE", "5s");
        return env;
    }

    static AppProcess startAgent(Map<String, String> env, Path work, Path log) throws IOException {
        return AppProcess.start(repo().resolve("agent"), "nodepulse-agent.jar", "io.nodepulse.agent.Main",
                List.of("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("agent-tmp"))), List.of(), env, log);
    }
}
