package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodepulse.deploy.Images.App;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images' Java runtimes, built from deploy/docker/*.modules as their Dockerfiles build them, run the
 * applications: the agent collects every family as on a full JDK and delivers to Kafka (producer, zstd, JMX);
 * the processor starts Kafka Streams with RocksDB, migrates the database and serves its ops port.
 */
@WithStack
class JlinkRuntimeIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private Map<String, String> hostEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("NODEPULSE_HOST_PROC", "/proc");
        env.put("NODEPULSE_HOST_SYS", "/sys");
        env.put("NODEPULSE_HOST_ROOT", "/");
        return env;
    }

    @Test
    void agentOncePrintsTheSameSampleOnTheImageRuntimeAsOnAFullJdk() throws Exception {
        Path runtime = JlinkRuntime.of(App.AGENT);
        assertThat(Files.exists(runtime.resolve("jmods"))).isFalse();
        JlinkRuntime.Result small = JlinkRuntime.run(JlinkRuntime.command(runtime, App.AGENT,
                "io.nodepulse.agent.Main", List.of(), "--once"), hostEnv(), work);
        assertThat(small.exit()).as(small.err()).isZero();
        JsonNode sample = JSON.readTree(small.out());
        assertThat(sample.path("node").asText()).isNotBlank();
        assertThat(sample.path("kind").asText()).isEqualTo("SAMPLE");
        assertThat(sample.path("cpu").path("busyRatio").isNumber()).as("rates filled").isTrue();
        assertThat(sample.path("memory").path("totalBytes").asLong()).isPositive();
        assertThat(sample.path("filesystems")).as("statvfs through JNA").isNotEmpty();

        JlinkRuntime.Result full = JlinkRuntime.run(JlinkRuntime.command(Path.of(System.getProperty("java.home")),
                App.AGENT, "io.nodepulse.agent.Main", List.of(), "--once"), hostEnv(), work);
        assertThat(full.exit()).as(full.err()).isZero();
        assertThat(collectors(sample)).as("collector outcomes on the image runtime vs a full JDK")
                .isEqualTo(collectors(JSON.readTree(full.out())));
        assertThat(collectors(sample)).containsEntry("filesystem", "ok").containsEntry("clock", "ok")
                .containsEntry("cpu", "ok");
    }

    @Test
    void agentDeliversToKafkaOnTheImageRuntime(Stack stack) throws Exception {
        Path runtime = JlinkRuntime.of(App.AGENT);
        Map<String, String> env = hostEnv();
        env.put("NODE_NAME", "jlink-node");
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("NODEPULSE_TOPIC_PREFIX", stack.topicPrefix());
        env.put("NODEPULSE_CREATE_TOPICS", "true");
        env.put("NODEPULSE_INTERVAL", "1s");
        env.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        env.put("NODEPULSE_HTTP_PORT", "0");
        env.put("NODEPULSE_SPOOL_DIR", Files.createDirectories(work.resolve("spool")).toString());
        List<String> cmd = JlinkRuntime.command(runtime, App.AGENT, "io.nodepulse.agent.Main",
                List.of("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp"))));
        Path log = work.resolve("agent.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process agent = pb.start();
        Topics topics = new Topics(stack.topicPrefix(), WireSerdes.offline());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(stack))) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            NodeMetrics got = null;
            while (got == null && Instant.now().isBefore(deadline)) {
                assertThat(agent.isAlive()).as(() -> "agent exited:\n" + read(log)).isTrue();
                if (consumer.assignment().isEmpty()) {
                    if (consumer.listTopics(Duration.ofSeconds(5)).containsKey(topics.metrics().name())) {
                        consumer.subscribe(List.of(topics.metrics().name()));
                    } else {
                        Thread.sleep(500);
                        continue;
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    got = WireSerdes.offline().nodeMetrics().deserializer().deserialize(r.topic(), r.value());
                }
            }
            assertThat(got).as(() -> "no event within 90 s; agent log:\n" + read(log)).isNotNull();
            assertThat(got.getNode()).isEqualTo("jlink-node");
        } finally {
            agent.destroy();
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("agent stops on SIGTERM").isTrue();
        }
    }

    @Test
    void processorStartsMigratesAndServesItsOpsPortOnTheImageRuntime(Stack stack) throws Exception {
        try (ProcessorProcess p = ProcessorProcess.start(stack, work, Map.of())) {
            p.awaitOk("/healthz", Duration.ofSeconds(180));
            p.awaitOk("/readyz", Duration.ofSeconds(180));
            try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM nodepulse.nodes")) {
                assertThat(rs.next()).isTrue();
            }
            p.stop();
            assertThat(p.tail()).doesNotContain("UnsatisfiedLinkError", "NoClassDefFoundError");
        }
    }

    static Map<String, Object> consumerConfig(Stack stack) {
        Map<String, Object> c = new HashMap<>(stack.kafkaConfig());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "deploy-check-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    private static Map<String, String> collectors(JsonNode sample) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode c : sample.path("collectors")) {
            out.put(c.path("name").asText(), c.path("ok").asBoolean() ? "ok" : "failed");
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
