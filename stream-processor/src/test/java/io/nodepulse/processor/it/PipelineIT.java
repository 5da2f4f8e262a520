package io.nodepulse.processor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.PipelineStreams;
import io.nodepulse.processor.PipelineTopology;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.processor.validate.DlqHeaders;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real topology with exactly_once_v2 against the real broker: N nodes × M intervals, stream time advanced
 * past the last windows, give exact record counts on metrics.valid, rollup.1m and rollup.1h (read_committed);
 * garbage on metrics goes to the dead-letter topic while the rest flows.
 */
@WithStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
    private static final int NODES = 6;
    private static final int INTERVALS = 18;
    private static final int GARBAGE = 7;
    /** Rollups per node and window of a SampleMetrics event: 9 node-level families and 10 devices. */
    private static final int ROLLUPS_PER_WINDOW = 19;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private final WireSerdes serdes = WireSerdes.offline();
    private Topics topics;
    private PipelineStreams streams;
    private Path stateDir;
    private Instant base;

    @BeforeAll
    void start(Stack stack) throws Exception {
        topics = new Topics(stack.topicPrefix(), serdes);
        KafkaFixture.createTopics(stack, topics, 3);
        stateDir = Files.createTempDirectory("np-it-state");
        Properties p = new Properties();
        p.putAll(stack.kafkaConfig());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, stack.topicPrefix() + "processor");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.putAll(PipelineTopology.requiredStreamsConfig());
        streams = new PipelineStreams(p, PipelineTopology.Settings.defaults(), topics, serdes, AlertRules.bundled(),
                new PipelineMetrics(new MetricRegistry()));
        streams.start();
        base = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
    }

    @AfterAll
    void stop() throws Exception {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
        serdes.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private ProducerRecord<byte[], byte[]> record(NodeMetrics e) {
        return new ProducerRecord<>(topics.metrics().name(), e.getNode().getBytes(StandardCharsets.UTF_8),
                serdes.nodeMetrics().serialize(topics.metrics().name(), e));
    }

    @Test
    void exactCountsThroughValidationWindowsAndDeadLetters(Stack stack) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaFixture.producer(stack)) {
            int garbageSent = 0;
            for (int i = 0; i < INTERVALS; i++) {
                for (int n = 0; n < NODES; n++) {
                    producer.send(record(SampleMetrics.event("it", "node-" + n, "boot", "run", i + 1,
                            base.plusSeconds(10L * i))));
                }
                if (i % 3 == 0 && garbageSent < GARBAGE) {
                    producer.send(new ProducerRecord<>(topics.metrics().name(),
                            ("node-" + garbageSent).getBytes(StandardCharsets.UTF_8),
                            ("garbage " + i).getBytes(StandardCharsets.UTF_8)));
                    garbageSent++;
                }
            }
            while (garbageSent < GARBAGE) {
                producer.send(new ProducerRecord<>(topics.metrics().name(), "x".getBytes(), new byte[] {1, 2, 3}));
                garbageSent++;
            }
            // a copy of every node's first event: dropped as duplicates
            for (int n = 0; n < NODES; n++) {
                producer.send(record(SampleMetrics.event("it", "node-" + n, "boot", "run-2", 1, base)));
            }
            // stream time past the hour and its grace on every partition: one event per node far ahead
            Instant ahead = base.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(10));
            for (int n = 0; n < NODES; n++) {
                producer.send(record(SampleMetrics.event("it", "node-" + n, "boot", "run", 1000, ahead)));
            }
            producer.flush();
        }

        int minutes = (INTERVALS * 10 + 59) / 60;
        int expectedValid = NODES * INTERVALS + NODES;
        int expected1m = NODES * minutes * ROLLUPS_PER_WINDOW;
        int expected1h = NODES * ROLLUPS_PER_WINDOW;

        List<ConsumerRecord<byte[], byte[]>> h1 = KafkaFixture.readCommitted(stack, topics.rollup1h().name(),
                l -> l.size() >= expected1h, DEADLINE, Duration.ofSeconds(3));
        List<ConsumerRecord<byte[], byte[]>> valid = KafkaFixture.readCommitted(stack, topics.metricsValid().name(),
                l -> l.size() >= expectedValid, DEADLINE, Duration.ofSeconds(1));
        List<ConsumerRecord<byte[], byte[]>> m1 = KafkaFixture.readCommitted(stack, topics.rollup1m().name(),
                l -> l.size() >= expected1m, DEADLINE, Duration.ofSeconds(1));
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaFixture.readCommitted(stack, topics.dlq().name(),
                l -> l.size() >= GARBAGE, DEADLINE, Duration.ofSeconds(1));

        assertThat(valid).hasSize(expectedValid);
        Set<String> natural = valid.stream().map(r -> serdes.nodeMetrics().deserialize("t", r.value()))
                .map(e -> e.getNode() + "@" + e.getEventTime()).collect(Collectors.toSet());
        assertThat(natural).as("each (node, event time) once").hasSize(expectedValid);

        List<NodeRollup> minuteRollups = m1.stream().map(r -> serdes.nodeRollup().deserialize("t", r.value()))
                .toList();
        assertThat(minuteRollups).hasSize(expected1m);
        assertThat(minuteRollups).allSatisfy(r -> assertThat(r.getWindowStart()).isBefore(base.plusSeconds(180)));
        Map<Instant, Long> samplesPerMinute = minuteRollups.stream().filter(r -> r.getFamily().equals("cpu"))
                .collect(Collectors.groupingBy(NodeRollup::getWindowStart, Collectors.summingLong(NodeRollup::getSamples)));
        assertThat(samplesPerMinute).containsEntry(base, (long) NODES * 6)
                .containsEntry(base.plusSeconds(60), (long) NODES * 6)
                .containsEntry(base.plusSeconds(120), (long) NODES * 6);

        List<NodeRollup> hourRollups = h1.stream().map(r -> serdes.nodeRollup().deserialize("t", r.value()))
                .toList();
        assertThat(hourRollups).hasSize(expected1h);
        assertThat(hourRollups).allSatisfy(r -> {
            assertThat(r.getWindowStart()).isEqualTo(base);
            assertThat(r.getSamples()).isEqualTo(INTERVALS);
        });

        assertThat(dlq).hasSize(GARBAGE);
        assertThat(dlq).allSatisfy(r -> {
            assertThat(new String(r.headers().lastHeader(DlqHeaders.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("bad-magic");
            assertThat(new String(r.headers().lastHeader(DlqHeaders.TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(topics.metrics().name());
            assertThat(r.headers().lastHeader(DlqHeaders.OFFSET)).isNotNull();
        });
        assertThat(streams.clients().values()).extracting(KafkaStreams::state)
                .containsOnly(KafkaStreams.State.RUNNING);
    }
}
