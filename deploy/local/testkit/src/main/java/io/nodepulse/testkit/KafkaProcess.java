package io.nodepulse.testkit;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private single-node KRaft broker run as a child process from the local stack's Kafka jars
 * ({@code $NODEPULSE_HOME/kafka/libs}), for tests that stop and restart Kafka without touching the shared
 * broker. It keeps its ports and data directory across {@link #stop()}/{@link #kill()} and {@link #start()}.
 * Replication factors are 1 and {@code transaction.state.log.min.isr=1}, so transactions work on one node.
 */
public final class KafkaProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaProcess.class);

    private final Path dir;
    private final Path libs;
    private final int port;
    private final int controllerPort;
    private final Path config;
    private Process process;

    private KafkaProcess(Path dir, Path libs, int port, int controllerPort) {
        this.dir = dir;
        this.libs = libs;
        this.port = port;
        this.controllerPort = controllerPort;
        this.config = dir.resolve("server.properties");
    }

    /**
     * Prepares a broker in a new directory under {@code parent} on two free loopback ports and formats its
     * storage; {@link #start()} starts it.
     */
    public static KafkaProcess create(Path parent) throws IOException, InterruptedException {
        Path libs = kafkaLibs();
        Path dir = Files.createTempDirectory(parent, "kafka-");
        int[] ports = freePorts(2);
        KafkaProcess k = new KafkaProcess(dir, libs, ports[0], ports[1]);
        k.writeConfig();
        k.format();
        return k;
    }

    private static Path kafkaLibs() {
        String home = System.getenv("NODEPULSE_HOME");
        Path libs = home == null || home.isBlank() ? null : Path.of(home, "kafka", "libs");
        if (libs == null || !Files.isRegularFile(libs.resolve("kafka_2.13-4.4.0.jar"))) {
            throw new IllegalStateException("no Kafka jars for a private broker: expected "
                    + (libs == null ? "$NODEPULSE_HOME/kafka/libs (NODEPULSE_HOME is unset)" : libs)
                    + ". Start the local stack once ('deploy/local/stack.sh up', which fetches them) and export "
                    + "its settings with 'eval \"$(deploy/local/stack.sh env)\"'.");
        }
        return libs;
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return ports;
    }

    private void writeConfig() throws IOException {
        String host = "127.0.0.1";
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
        Files.writeString(config, props, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = FILE",
                "appender.file.fileName = " + dir.resolve("kafka.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                ""), StandardCharsets.UTF_8);
    }

    private List<String> java(String... rest) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-Dkafka.logs.dir=" + dir, "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", libs + File.separator + "*"));
        cmd.addAll(List.of(rest));
        return cmd;
    }

    private void format() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "--config", config.toString(),
                "--cluster-id", randomClusterId())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.out").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("formatting the private Kafka's storage failed; see "
                    + dir.resolve("format.out") + ":\n" + Files.readString(dir.resolve("format.out")));
        }
    }

    private static String randomClusterId() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Client settings that reach this broker. */
    public Map<String, Object> kafkaConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    public Path dir() {
        return dir;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker (again, on the same ports and data) and waits until it answers. */
    public synchronized void start(Duration timeout) throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(java("kafka.Kafka", config.toString())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.out").toFile()));
        process = pb.start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        log.info("private Kafka starting on {} (pid {}, dir {})", bootstrapServers(), started.pid(), dir);
        awaitReady(timeout);
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the private Kafka exited with " + process.exitValue() + "; see "
                        + dir.resolve("kafka.out") + " and " + dir.resolve("kafka.log"));
            }
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                admin.listTopics().names().get(3, TimeUnit.SECONDS);
                log.info("private Kafka answers on {}", bootstrapServers());
                return;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the private Kafka on " + bootstrapServers() + " did not answer within "
                + timeout + " (last error: " + last + "); see " + dir.resolve("kafka.log"));
    }

    /** Stops the broker with SIGTERM (a controlled shutdown) and waits for it to exit. */
    public synchronized void stop() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            log.warn("the private Kafka did not stop within 60 s; killing it");
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Kills the broker with SIGKILL, as a crash would. */
    public synchronized void kill() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Kills the broker and deletes its directory (kept when NODEPULSE_KEEP_TEST_DATA=true). */
    @Override
    public synchronized void close() throws IOException {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if ("true".equals(System.getenv("NODEPULSE_KEEP_TEST_DATA"))) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
