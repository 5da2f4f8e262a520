package io.nodepulse.processor.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.SampleMetrics;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AccumulatorSerdeTest {
    private static final Instant T = Instant.parse("2025-03-03T10:00:00Z");
    private final AccumulatorSerde serde = new AccumulatorSerde();

    private static RollupAccumulator sample(String cluster, int events) {
        RollupAccumulator acc = new RollupAccumulator();
        for (int i = 0; i < events; i++) {
            NodeMetrics e = SampleMetrics.event(cluster, "n1", "b", "r", i + 1, T.plusSeconds(10L * i));
            if (i == 2) {
                e.getFilesystems().get(0).setFsType("xfs");
            }
            acc.add(e);
        }
        return acc;
    }

    private static List<NodeRollup> rollups(RollupAccumulator acc) {
        return acc.toRollups("n1", 60, T.toEpochMilli(), T.toEpochMilli() + 60_000);
    }

    @Test
    void roundTripKeepsEveryAggregateExactly() {
        RollupAccumulator acc = sample("c1", 6).merge(sample("c2", 1));
        RollupAccumulator back = serde.deserialize("t", serde.serialize("t", acc));
        assertThat(rollups(back)).isEqualTo(rollups(acc));
        assertThat(back.lastEventTime()).isEqualTo(acc.lastEventTime());
        // merging after a round trip gives the same as merging before
        RollupAccumulator more = sample("c1", 3);
        assertThat(rollups(serde.deserialize("t", serde.serialize("t", back)).merge(more)))
                .isEqualTo(rollups(sample("c1", 6).merge(sample("c2", 1)).merge(sample("c1", 3))));
    }

    @Test
    void mergeEqualsAddingEveryEvent() {
        RollupAccumulator all = new RollupAccumulator();
        RollupAccumulator first = new RollupAccumulator();
        RollupAccumulator second = new RollupAccumulator();
        for (int i = 0; i < 12; i++) {
            NodeMetrics e = SampleMetrics.event("c1", "n1", "b", "r", i + 1, T.plusSeconds(10L * i));
            all.add(e);
            (i % 2 == 0 ? first : second).add(e);
        }
        // sums may differ in the last bits: floating-point addition depends on the order
        assertThat(rounded(rollups(second.merge(first)))).isEqualTo(rounded(rollups(all)));
    }

    private static List<NodeRollup> rounded(List<NodeRollup> rollups) {
        for (NodeRollup r : rollups) {
            r.getStats().values().forEach(st -> st.setSum(Math.round(st.getSum() * 1e6) / 1e6));
        }
        return rollups;
    }

    @Test
    void accumulatorOfOneEventIsSmallerThanTheEvent() {
        NodeMetrics e = SampleMetrics.event("c1", "n1", "b", "r", 5, T);
        byte[] acc = serde.serialize("t", RollupAccumulator.of(e));
        byte[] event = io.nodepulse.wire.WireSerdes.offline().nodeMetrics().serialize("t", e);
        assertThat(acc.length).isLessThan(event.length * 2);
    }

    @Test
    void corruptBytesFailWithAClearMessage() {
        assertThatThrownBy(() -> serde.deserialize("t", new byte[] {9, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 9");
        byte[] ok = serde.serialize("t", sample("c1", 2));
        assertThatThrownBy(() -> serde.deserialize("t", java.util.Arrays.copyOf(ok, ok.length / 2)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt");
    }
}
