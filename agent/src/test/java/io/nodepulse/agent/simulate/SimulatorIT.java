package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolSettings;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.AppProcess;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.TopicReader;
import io.nodepulse.testkit.WithStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's command line, packaged ({@code target/nodepulse-agent.jar}, {@code jvm.options}), against the
 * shared local broker under this class's topic prefix: what it reports is what reached Kafka.
 */
@WithStack
class SimulatorIT {
    private static final String MAIN = "io.nodepulse.agent.simulate.Simulator";

    private static AppProcess start(Path work, Map<String, String> env, String... args) throws Exception {
        return AppProcess.start(Path.of("").toAbsolutePath(), "nodepulse-agent.jar", MAIN,
                List.of("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp"))), List.of(args), env,
                work.resolve("simulator.log"));
    }

    private static Map<String, String> env(Stack stack, Path work) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("NODEPULSE_TOPIC_PREFIX", stack.topicPrefix());
        env.put("NODEPULSE_CREATE_TOPICS", "true");
        env.put("NODEPULSE_SPOOL_DIR", work.resolve("spool").toString());
        return env;
    }

    @Test
    void everyEventInTheManifestReachesKafkaInOrder(Stack stack, @TempDir Path work) throws Exception {
        Path manifest = work.resolve("manifest.tsv");
        try (AppProcess sim = start(work, env(stack, work), "--nodes", "4", "--interval", "1s", "--duration", "8s",
                "--pods", "3", "--duplicate-fraction", "0.3", "--late-fraction", "0", "--churn", "0", "--progress",
                "2s", "--seed", "5", "--manifest", manifest.toString())) {
            assertThat(sim.waitFor(Duration.ofSeconds(90))).as(sim.tail(40)).isZero();
            String out = sim.log();
            assertThat(out).contains("simulating 4 node(s) of cluster 'sim' every 1s", "seed 5", "summary:",
                    "0 dropped, 0 still pending in the spool", "4 were up at the end and shut down cleanly",
                    "per node (run id: seq range):");
            assertThat(out.lines().filter(l -> l.startsWith("[00:00:")).count()).as("progress lines").isPositive();
        }
        List<Manifest.Entry> sent = Manifest.read(manifest);
        // (the other tests of this class write term-* nodes to the same topic)
        List<NodeMetrics> topic = readTopic(stack, sent.size()).stream().filter(e -> e.getNode().startsWith("sim-"))
                .toList();
        assertThat(topic).hasSize(sent.size());
        // per node, Kafka holds exactly the manifest's sequence, duplicates included, in order
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (Manifest.Entry e : sent) {
            expected.computeIfAbsent(e.node(), k -> new ArrayList<>()).add(e.runId() + "/" + e.seq());
        }
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (NodeMetrics e : topic) {
            actual.computeIfAbsent(e.getNode(), k -> new ArrayList<>()).add(e.getRunId() + "/" + e.getSeq());
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(sent).anyMatch(e -> e.delivery() == Fleet.Delivery.DUPLICATE);
        for (List<String> perNode : actual.values()) {
            assertThat(perNode).hasSizeGreaterThan(5);
        }
        // every node ends with its SHUTDOWN event
        Map<String, NodeMetrics> last = new HashMap<>();
        topic.forEach(e -> last.put(e.getNode(), e));
        assertThat(last.values()).hasSize(4).allMatch(e -> e.getKind() == EventKind.SHUTDOWN);
        // reopened, the spool it leaves behind has nothing left to send
        try (Spool spool = Spool.open(SpoolSettings.of(work.resolve("spool"), 1L << 30, FsyncPolicy.NEVER,
                Duration.ofSeconds(1)), new SpoolMetrics(new MetricRegistry()))) {
            assertThat(spool.status().pending()).as("events left in the spool").isZero();
        }
    }

    @Test
    void sigtermStopsTheFleetCleanly(Stack stack, @TempDir Path work) throws Exception {
        try (AppProcess sim = start(work, env(stack, work), "--nodes", "3", "--interval", "1s", "--pods", "2",
                "--progress", "1s", "--node-prefix", "term-")) {
            sim.await(() -> sim.log().contains("[00:00:02]"), Duration.ofSeconds(60), "progress");
            assertThat(sim.terminate(Duration.ofSeconds(60))).isEqualTo(143);
            assertThat(sim.log()).contains("summary:", "3 were up at the end and shut down cleanly");
        }
        List<NodeMetrics> topic = readTopic(stack, 3);
        assertThat(topic.stream().filter(e -> e.getNode().startsWith("term-") && e.getKind() == EventKind.SHUTDOWN))
                .hasSize(3);
    }

    @Test
    void badFlagsAndSettingsAreNamed(Stack stack, @TempDir Path work) throws Exception {
        try (AppProcess sim = start(work, env(stack, work), "--nodes", "0", "--rate-multiplier", "10", "--fast")) {
            assertThat(sim.waitFor(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(sim.log()).contains("--nodes 0 is out of range", "--rate-multiplier 10 needs --duration",
                    "unknown option '--fast'", "see --help");
        }
        Files.delete(work.resolve("simulator.log"));
        Map<String, String> env = env(stack, work);
        env.put("NODEPULSE_INTERVAL", "10s");
        env.remove("KAFKA_BOOTSTRAP_SERVERS");
        try (AppProcess sim = start(work, env, "--nodes", "1")) {
            assertThat(sim.waitFor(Duration.ofSeconds(60))).isEqualTo(78);
            assertThat(sim.log()).contains("NODEPULSE_INTERVAL is not a setting of the simulator",
                    "KAFKA_BOOTSTRAP_SERVERS is required");
        }
        Files.delete(work.resolve("simulator.log"));
        try (AppProcess sim = start(work, env(stack, work), "--nodes", "100000")) {
            assertThat(sim.waitFor(Duration.ofSeconds(60))).isEqualTo(78);
            assertThat(sim.log()).contains("100,000 nodes with 30 pods each need about", "-Xmx");
        }
        Files.delete(work.resolve("simulator.log"));
        try (AppProcess sim = start(work, env(stack, work), "--help")) {
            assertThat(sim.waitFor(Duration.ofSeconds(60))).isZero();
            assertThat(sim.log()).contains("Usage: simulate --nodes N", "--rate-multiplier X");
        }
    }

    /** The metrics topic from the beginning to its end, and on until at least {@code atLeast} events arrived. */
    private static List<NodeMetrics> readTopic(Stack stack, int atLeast) {
        String topic = stack.topicPrefix() + "metrics";
        EventEncoder decoder = new EventEncoder(topic);
        List<ConsumerRecord<String, NodeMetrics>> records = TopicReader.readToEnd(stack.kafkaConfig(), topic,
                (t, bytes) -> decoder.decode(bytes), atLeast, Duration.ofSeconds(60));
        assertThat(records).as("keyed by node").allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getNode()));
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
