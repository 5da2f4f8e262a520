package io.nodepulse.processor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import io.nodepulse.processor.sink.Lane;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole processor (Streams and sink) as a child JVM, killed with SIGKILL in the middle of a stream and
 * started again on the same state directory: the database ends with every event once and every window once,
 * with exact samples. A sink lane that stops on its own error stops the process with a failure, so it is
 * restarted instead of running on without writing.
 */
@WithStack
class ProcessorCrashIT {
    private static final int NODES = 8;
    private static final int INTERVALS = 60;
    private static final Duration DEADLINE = Duration.ofSeconds(150);

    private final WireSerdes serdes = WireSerdes.offline();
    private Process child;

    @AfterEach
    void stop() {
        if (child != null) {
            child.destroyForcibly();
        }
        serdes.close();
    }

    private Process startProcessor(Stack stack, Path stateDir, Path log) throws Exception {
        return startProcessor(stack, stateDir, log, Map.of());
    }

    private Process startProcessor(Stack stack, Path stateDir, Path log, Map<String, String> extra)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.nodepulse.processor.Main");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_"));
        env.putAll(stack.appEnv());
        env.put("NODEPULSE_APPLICATION_ID", stack.topicPrefix() + "processor");
        env.put("NODEPULSE_SINK_GROUP_ID", stack.topicPrefix() + "sink");
        env.put("NODEPULSE_STATE_DIR", stateDir.toString());
        env.put("NODEPULSE_HTTP_PORT", "0");
        env.put("NODEPULSE_DB_WRITER_USER", stack.writer().user());
        env.put("NODEPULSE_DB_WRITER_PASSWORD", stack.writer().password());
        env.put("NODEPULSE_DB_OWNER_USER", stack.owner().user());
        env.put("NODEPULSE_DB_OWNER_PASSWORD", stack.owner().password());
        env.put("NODEPULSE_DB_READER_USER", stack.reader().user());
        env.put("NODEPULSE_REPAIR_SETTLE", "1s");
        env.put("KAFKA_REPLICATION_FACTOR", "1");
        env.putAll(extra);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return pb.start();
    }

    private static long count(Stack stack, String sql) {
        try (Connection c = stack.connect(stack.owner()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static long await(Stack stack, String sql, LongPredicate done, Duration deadline)
            throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        long v = count(stack, sql);
        while (!done.test(v) && Instant.now().isBefore(end)) {
            Thread.sleep(500);
            v = count(stack, sql);
        }
        return v;
    }

    @Test
    void aSinkLaneThatStopsOnItsOwnStopsTheProcessWithAFailure(Stack stack) throws Exception {
        Topics topics = new Topics(stack.topicPrefix(), serdes);
        KafkaFixture.createTopics(stack, topics, 3);
        Path stateDir = Files.createTempDirectory("np-lane-state");
        Path log = Files.createTempFile("np-lane-processor", ".log");
        String instance = stack.topicPrefix() + "static";
        child = startProcessor(stack, stateDir, log, Map.of("KAFKA_GROUP_INSTANCE_ID", instance,
                "KAFKA_SESSION_TIMEOUT_MS", "6000"));

        // a member with the raw lane's static instance id fences the lane: its loop stops with an error
        Map<String, Object> props = new java.util.HashMap<>(stack.kafkaConfig());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, Lane.RAW.groupId(stack.topicPrefix() + "sink"));
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        try (KafkaConsumer<byte[], byte[]> other = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Instant end = Instant.now().plus(DEADLINE);
            while (Files.readString(log).lines().noneMatch(l -> l.contains("sink started"))
                    && Instant.now().isBefore(end)) {
                Thread.sleep(200);
            }
            other.subscribe(java.util.List.of(topics.metricsValid().name()));
            while (child.isAlive() && Instant.now().isBefore(end)) {
                other.poll(Duration.ofMillis(200));
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the processor exits; log " + log).isTrue();
        assertThat(child.exitValue()).as("exit code; log " + log).isEqualTo(1);
        assertThat(Files.readString(log)).contains("sink raw stopped: ", "stopping the processor so that it starts "
                + "again");
    }

    @Test
    void killNineMidStreamLosesAndDuplicatesNothing(Stack stack) throws Exception {
        Topics topics = new Topics(stack.topicPrefix(), serdes);
        KafkaFixture.createTopics(stack, topics, 3);
        Path stateDir = Files.createTempDirectory("np-crash-state");
        Path log = Files.createTempFile("np-crash-processor", ".log");
        Instant base = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
        child = startProcessor(stack, stateDir, log);

        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(stack)) {
            int i = 0;
            boolean killed = false;
            for (; i < INTERVALS; i++) {
                for (int n = 0; n < NODES; n++) {
                    var e = SampleMetrics.event("crash", "node-" + n, "boot", "run", i + 1, base.plusSeconds(10L * i));
                    producer.send(new ProducerRecord<>(topics.metrics().name(),
                            e.getNode().getBytes(StandardCharsets.UTF_8), serdes.nodeMetrics().serialize("t", e)));
                }
                producer.flush();
                if (!killed && i == INTERVALS / 3) {
                    // let the processor get going, then kill it with rows and windows in flight
                    long rows = await(stack, "SELECT count(*) FROM nodepulse_data.node_events", v -> v >= NODES * 5L,
                            DEADLINE);
                    assertThat(rows).as("processor wrote rows before the kill; log " + log).isPositive();
                    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    killed = true;
                    child = startProcessor(stack, stateDir, log);
                }
                Thread.sleep(50);
            }
            Instant ahead = base.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(10));
            for (int n = 0; n < NODES; n++) {
                var e = SampleMetrics.event("crash", "node-" + n, "boot", "run", 1000, ahead);
                producer.send(new ProducerRecord<>(topics.metrics().name(),
                        e.getNode().getBytes(StandardCharsets.UTF_8), serdes.nodeMetrics().serialize("t", e)));
            }
            producer.flush();
        }

        long events = (long) NODES * INTERVALS;
        long minutes = INTERVALS / 6;
        assertThat(await(stack, "SELECT count(*) FROM nodepulse_data.cpu_1h", v -> v >= NODES, DEADLINE))
                .as("1-hour rollups; log " + log).isEqualTo(NODES);
        assertThat(await(stack, "SELECT count(*) FROM nodepulse_data.node_events", v -> v >= events + NODES,
                DEADLINE)).as("raw events").isEqualTo(events + NODES);
        assertThat(await(stack, "SELECT count(*) FROM nodepulse_data.cpu_1m WHERE bucket < '" + base.plus(
                Duration.ofHours(1)) + "'", v -> v >= NODES * minutes, DEADLINE)).isEqualTo(NODES * minutes);
        assertThat(count(stack, "SELECT count(*) FROM nodepulse_data.cpu")).isEqualTo(events + NODES);
        assertThat(count(stack, "SELECT count(DISTINCT (node, time)) FROM nodepulse_data.node_events"))
                .isEqualTo(events + NODES);
        assertThat(count(stack, "SELECT sum(samples) FROM nodepulse_data.cpu_1m WHERE bucket < '"
                + base.plus(Duration.ofHours(1)) + "'")).as("every event in exactly one minute").isEqualTo(events);
        assertThat(count(stack, "SELECT sum(samples) FROM nodepulse_data.cpu_1h")).isEqualTo(events);
        assertThat(count(stack, "SELECT count(*) FROM nodepulse_data.pod_1h")).isEqualTo(NODES * 3L);
        assertThat(child.isAlive()).as("the restarted processor keeps running; log " + log).isTrue();
        Files.deleteIfExists(log);
        deleteTree(stateDir.toFile());
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
