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
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The real topology in a TopologyTestDriver, with typed input and outputs. */
public final class Harness implements AutoCloseable {
    public static final Instant START = Instant.parse("2025-03-03T10:00:00Z");
    public static final String CLUSTER = "c1";

    public final WireSerdes serdes = WireSerdes.offline();
    public final Topics topics = new Topics("t.", serdes);
    public final MetricRegistry registry = new MetricRegistry();
    public final PipelineMetrics metrics = new PipelineMetrics(registry);
    public final PipelineTopology.Settings settings;
    public final Topology topology;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> input;
    public final TestOutputTopic<byte[], byte[]> valid;
    public final TestOutputTopic<byte[], byte[]> late;
    public final TestOutputTopic<byte[], byte[]> dlq;
    public final TestOutputTopic<String, NodeRollup> rollup1m;
    public final TestOutputTopic<String, NodeRollup> rollup1h;
    public final TestOutputTopic<String, NodeStatus> status;
    public final TestOutputTopic<String, Alert> alerts;
    private final Path stateDir;
    /** Record timestamp of inputs: the wall clock, as a producer sets it; never the event time. */
    private Instant arrival = START;

    public Harness() {
        this(PipelineTopology.Settings.defaults(), AlertRules.bundled());
    }

    public Harness(PipelineTopology.Settings settings, AlertRules rules) {
        this.settings = settings;
        this.topology = PipelineTopology.build(settings, topics, serdes, rules, metrics);
        try {
            stateDir = Files.createTempDirectory("np-ttd");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.putAll(PipelineTopology.requiredStreamsConfig());
        driver = new TopologyTestDriver(topology, p, START);
        var ba = Serdes.ByteArray();
        var str = Serdes.String();
        input = driver.createInputTopic(topics.metrics().name(), ba.serializer(), ba.serializer());
        valid = driver.createOutputTopic(topics.metricsValid().name(), ba.deserializer(), ba.deserializer());
        late = driver.createOutputTopic(topics.late().name(), ba.deserializer(), ba.deserializer());
        dlq = driver.createOutputTopic(topics.dlq().name(), ba.deserializer(), ba.deserializer());
        rollup1m = driver.createOutputTopic(topics.rollup1m().name(), str.deserializer(),
                serdes.nodeRollup().deserializer());
        rollup1h = driver.createOutputTopic(topics.rollup1h().name(), str.deserializer(),
                serdes.nodeRollup().deserializer());
        status = driver.createOutputTopic(topics.nodeStatus().name(), str.deserializer(),
                serdes.nodeStatus().deserializer());
        alerts = driver.createOutputTopic(topics.alerts().name(), str.deserializer(), serdes.alert().deserializer());
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
    }

    public void sendRaw(String key, byte[] value) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, arrival);
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
        driver.advanceWallClockTime(d);
        arrival = arrival.plus(d);
    }

    @Override
    public void close() {
        driver.close();
        serdes.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // the temp dir is best-effort
        }
    }
}
