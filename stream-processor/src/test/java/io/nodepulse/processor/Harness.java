package io.nodepulse.processor;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The real topologies in two TopologyTestDriver instances, joined as Kafka joins them: what ingest writes to
 * metrics.valid and late is piped into the rollup driver, in order, after every input and clock step. Outputs
 * are captured per topic; the alerts of both applications land in one capture, as in the one alerts topic.
 */
public final class Harness implements AutoCloseable {
    public static final Instant START = Instant.parse("2025-03-03T10:00:00Z");
    public static final String CLUSTER = "c1";

    public final WireSerdes serdes = WireSerdes.offline();
    public final Topics topics = new Topics("t.", serdes);
    public final MetricRegistry registry = new MetricRegistry();
    public final PipelineMetrics metrics = new PipelineMetrics(registry);
    public final PipelineTopology.Settings settings;
    /** Validation, dedup, late path and liveness. */
    public final TopologyTestDriver ingest;
    /** Windows and metric alert rules. */
    public final TopologyTestDriver rollup;
    public final Captured<byte[], byte[]> valid = new Captured<>();
    public final Captured<byte[], byte[]> late = new Captured<>();
    public final Captured<byte[], byte[]> dlq = new Captured<>();
    public final Captured<String, NodeRollup> rollup1m = new Captured<>();
    public final Captured<String, NodeRollup> rollup1h = new Captured<>();
    public final Captured<String, NodeStatus> status = new Captured<>();
    public final Captured<String, Alert> alerts = new Captured<>();
    private final TestInputTopic<byte[], byte[]> input;
    private final TestInputTopic<byte[], byte[]> rollupValidIn;
    private final TestInputTopic<byte[], byte[]> rollupLateIn;
    private final List<Runnable> pumps = new ArrayList<>();
    private final Path stateDir;
    /** Record timestamp of inputs: the wall clock, as a producer sets it; never the event time. */
    private Instant arrival = START;

    public Harness() {
        this(PipelineTopology.Settings.defaults(), AlertRules.bundled());
    }

    public Harness(PipelineTopology.Settings settings, AlertRules rules) {
        this.settings = settings;
        try {
            stateDir = Files.createTempDirectory("np-ttd");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ingest = driver(PipelineTopology.buildIngest(settings, topics, serdes, rules, metrics), "ttd");
        rollup = driver(PipelineTopology.buildRollup(settings, topics, serdes, rules, metrics),
                "ttd" + PipelineTopology.ROLLUP_APP_SUFFIX);
        var ba = Serdes.ByteArray();
        input = ingest.createInputTopic(topics.metrics().name(), ba.serializer(), ba.serializer());
        rollupValidIn = rollup.createInputTopic(topics.metricsValid().name(), ba.serializer(), ba.serializer());
        rollupLateIn = rollup.createInputTopic(topics.late().name(), ba.serializer(), ba.serializer());
        // ingest's outputs first: what reaches metrics.valid and late moves on to the rollup driver
        capture(ingest, topics.metricsValid().name(), ba.deserializer(), ba.deserializer(), valid, rollupValidIn);
        capture(ingest, topics.late().name(), ba.deserializer(), ba.deserializer(), late, rollupLateIn);
        capture(ingest, topics.dlq().name(), ba.deserializer(), ba.deserializer(), dlq, null);
        var str = Serdes.String();
        capture(ingest, topics.nodeStatus().name(), str.deserializer(), serdes.nodeStatus().deserializer(), status,
                null);
        capture(ingest, topics.alerts().name(), str.deserializer(), serdes.alert().deserializer(), alerts, null);
        capture(rollup, topics.rollup1m().name(), str.deserializer(), serdes.nodeRollup().deserializer(), rollup1m,
                null);
        capture(rollup, topics.rollup1h().name(), str.deserializer(), serdes.nodeRollup().deserializer(), rollup1h,
                null);
        capture(rollup, topics.alerts().name(), str.deserializer(), serdes.alert().deserializer(), alerts, null);
    }

    private TopologyTestDriver driver(Topology topology, String applicationId) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.putAll(PipelineTopology.requiredStreamsConfig());
        return new TopologyTestDriver(topology, p, START);
    }

    private <K, V> void capture(TopologyTestDriver driver, String topic, Deserializer<K> keys, Deserializer<V> values,
                                Captured<K, V> into, TestInputTopic<K, V> forward) {
        TestOutputTopic<K, V> out = driver.createOutputTopic(topic, keys, values);
        pumps.add(() -> {
            for (TestRecord<K, V> r : out.readRecordsToList()) {
                into.add(r);
                if (forward != null) {
                    forward.pipeInput(r);
                }
            }
        });
    }

    /** Moves every output into its capture, and ingest's into the rollup driver. */
    private void pump() {
        pumps.forEach(Runnable::run);
    }

    public static NodeMetrics event(String node, long seq, Instant t) {
        return SampleMetrics.event(CLUSTER, node, "boot-" + node, "run-" + node, seq, t);
    }

    /** An event at {@code START + offset}, seq derived from the offset in 10 s steps. */
    public static NodeMetrics at(String node, Duration offset) {
        return event(node, offset.toSeconds() / 10 + 1, START.plus(offset));
    }

    public void send(NodeMetrics e) {
        input.pipeInput(e.getNode().getBytes(StandardCharsets.UTF_8), serdes.nodeMetrics().serialize("t", e),
                arrival);
        pump();
    }

    public void sendRaw(String key, byte[] value) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, arrival);
        pump();
    }

    /** Sends a record as it is, headers and timestamp included. */
    public void sendRecord(TestRecord<byte[], byte[]> record) {
        input.pipeInput(record);
        pump();
    }

    public byte[] encode(NodeMetrics e) {
        return serdes.nodeMetrics().serialize("t", e);
    }

    public NodeMetrics decode(byte[] bytes) {
        return serdes.nodeMetrics().deserialize("t", bytes);
    }

    public List<NodeMetrics> validEvents() {
        return valid.readValuesToList().stream().map(this::decode).toList();
    }

    public static String header(TestRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Moves the wall clock forward to {@code t}, if it is behind. */
    public void wallClockTo(Instant t) {
        if (t.isAfter(arrival)) {
            wallClock(Duration.between(arrival, t));
        }
    }

    public Instant now() {
        return arrival;
    }

    public void wallClock(Duration d) {
        ingest.advanceWallClockTime(d);
        rollup.advanceWallClockTime(d);
        arrival = arrival.plus(d);
        pump();
    }

    @Override
    public void close() {
        ingest.close();
        rollup.close();
        serdes.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // the temp dir is best-effort
        }
    }
}
