package io.nodepulse.processor.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.schema.NodeState;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.schema.SampleMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * A processor that was down, or restarts into a backlog, must not declare every node DOWN before their queued
 * events are read.
 */
class LivenessRestartTest {
    private static final Instant T0 = Instant.parse("2025-03-03T10:00:00Z");
    private final KeyValueStore<String, NodeLiveness> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(LivenessProcessor.STORE), Serdes.String(), new NodeLiveness.StoreSerde())
            .withLoggingDisabled().build();
    private final PipelineMetrics metrics = new PipelineMetrics(new MetricRegistry());
    private long seq;

    private MockProcessorContext<String, SpecificRecord> start(Instant wallClock) {
        MockProcessorContext<String, SpecificRecord> ctx = new MockProcessorContext<>();
        ctx.setCurrentSystemTimeMs(wallClock.toEpochMilli());
        if (!store.isOpen() || seq == 0) {
            store.init(ctx.getStateStoreContext(), store);
        }
        ctx.addStateStore(store);
        return ctx;
    }

    private LivenessProcessor processor(MockProcessorContext<String, SpecificRecord> ctx) {
        LivenessProcessor p = new LivenessProcessor(LivenessTest.SETTINGS, AlertRules.bundled().nodeDown(), metrics);
        p.init(ctx);
        return p;
    }

    private void send(LivenessProcessor p, String node, Instant t) {
        var e = SampleMetrics.event("c1", node, "b", "r", ++seq, t);
        p.process(new Record<>(node.getBytes(), Checked.accepted(new byte[0], e), t.toEpochMilli()));
    }

    private static void punctuate(MockProcessorContext<String, SpecificRecord> ctx, Instant wallClock) {
        ctx.setCurrentSystemTimeMs(wallClock.toEpochMilli());
        ctx.scheduledPunctuators().forEach(s -> s.getPunctuator().punctuate(wallClock.toEpochMilli()));
    }

    private static List<NodeStatus> downs(MockProcessorContext<String, SpecificRecord> ctx) {
        return ctx.forwarded().stream().map(f -> f.record().value()).filter(v -> v instanceof NodeStatus)
                .map(v -> (NodeStatus) v).filter(s -> s.getState() == NodeState.DOWN).toList();
    }

    @Test
    void restartIntoABacklogMarksOnlyTheNodeThatReallyStopped() {
        MockProcessorContext<String, SpecificRecord> before = start(T0);
        LivenessProcessor first = processor(before);
        for (int i = 0; i <= 6; i++) {
            Instant t = T0.plusSeconds(i * 10);
            before.setCurrentSystemTimeMs(t.toEpochMilli());
            for (String n : List.of("n1", "n2", "n3")) {
                send(first, n, t);
            }
        }
        assertThat(downs(before)).isEmpty();

        // the processor is down for 20 minutes; the agents keep producing into Kafka, except n3, which died at
        // T0+60s. On restart the punctuator runs before any queued event is read.
        Instant restart = T0.plus(Duration.ofMinutes(20));
        MockProcessorContext<String, SpecificRecord> after = start(restart);
        LivenessProcessor second = processor(after);
        punctuate(after, restart.plusSeconds(5));
        assertThat(downs(after)).as("nothing is DOWN before the backlog is read").isEmpty();

        // the backlog is read quickly: event times advance 10 s per record, the wall clock barely moves
        Instant wall = restart.plusSeconds(5);
        for (int i = 7; i <= 60; i++) {
            Instant t = T0.plusSeconds(i * 10);
            wall = wall.plusMillis(200);
            after.setCurrentSystemTimeMs(wall.toEpochMilli());
            send(second, "n1", t);
            send(second, "n2", t);
            if (i % 5 == 0) {
                punctuate(after, wall);
            }
        }
        List<NodeStatus> downs = downs(after);
        assertThat(downs).extracting(NodeStatus::getNode).containsExactly("n3");
        assertThat(downs.get(0).getLastSeen()).isEqualTo(T0.plusSeconds(60));
        assertThat(downs.get(0).getSince()).as("detected in event time, not at the restart")
                .isBefore(T0.plus(Duration.ofMinutes(3)));
    }

    @Test
    void whenTheBacklogIsDrainedTheWallClockDecides() {
        MockProcessorContext<String, SpecificRecord> ctx = start(T0);
        LivenessProcessor p = processor(ctx);
        send(p, "n1", T0);
        send(p, "n2", T0);
        // nothing more arrives: after 30 s of silence on the whole partition both are DOWN by the wall clock
        punctuate(ctx, T0.plusSeconds(20));
        assertThat(downs(ctx)).isEmpty();
        punctuate(ctx, T0.plusSeconds(31));
        assertThat(downs(ctx)).extracting(NodeStatus::getNode).containsExactlyInAnyOrder("n1", "n2");
    }
}
