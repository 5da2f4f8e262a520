package io.nodepulse.processor.dedup;

import static io.nodepulse.processor.Harness.START;
import static io.nodepulse.processor.Harness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.Harness;
import io.nodepulse.processor.validate.RepairHeader;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DedupTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void resentEventsAreDroppedAndCounted() {
        for (int i = 0; i < 5; i++) {
            h.send(at("n1", Duration.ofSeconds(i * 10)));
        }
        // the agent restarts and replays its spool: the last three again, same event times, new run
        for (int i = 2; i < 5; i++) {
            NodeMetrics copy = SampleMetrics.event("c1", "n1", "boot-n1", "run-2", i + 1,
                    START.plusSeconds(i * 10));
            h.send(copy);
        }
        h.send(at("n1", Duration.ofSeconds(50)));
        List<NodeMetrics> valid = h.validEvents();
        assertThat(valid).hasSize(6);
        assertThat(valid.stream().map(NodeMetrics::getEventTime).distinct()).hasSize(6);
        assertThat(h.metrics.duplicates.get()).isEqualTo(3);
        assertThat(h.metrics.events.get("duplicate")).isEqualTo(3);
        assertThat(h.late.isEmpty()).isTrue();
    }

    @Test
    void sameEventTimeOfAnotherNodeOrClusterIsNotADuplicate() {
        h.send(at("n1", Duration.ZERO));
        h.send(at("n2", Duration.ZERO));
        h.send(SampleMetrics.event("c2", "n1", "b", "r", 1, START));
        assertThat(h.validEvents()).hasSize(3);
        assertThat(h.metrics.duplicates.get()).isZero();
    }

    @Test
    void stragglerBelowTheHighWaterMarkIsNotADuplicate() {
        h.send(at("n1", Duration.ZERO));
        h.send(at("n1", Duration.ofSeconds(20)));
        NodeMetrics straggler = at("n1", Duration.ofSeconds(10));
        h.send(straggler);
        assertThat(h.validEvents()).extracting(NodeMetrics::getEventTime).contains(straggler.getEventTime());
        h.send(straggler);
        assertThat(h.metrics.duplicates.get()).isEqualTo(1);
    }

    @Test
    void duplicateOfALateEventIsDroppedToo() {
        h.send(at("n1", Duration.ZERO));
        h.wallClockTo(START.plusSeconds(200));
        h.send(at("n2", Duration.ofSeconds(200)));
        NodeMetrics late = at("n1", Duration.ofSeconds(10));
        h.send(late);
        h.send(late);
        assertThat(h.late.readRecordsToList()).hasSize(1)
                .allSatisfy(r -> assertThat(Harness.header(r, RepairHeader.NAME)).isEqualTo("1m"));
        assertThat(h.metrics.duplicates.get()).isEqualTo(1);
    }

    @Test
    void eventOlderThanTheSeenSetTakesTheLatePathForBothResolutions() {
        h.send(at("n1", Duration.ZERO));
        Instant far = START.plus(h.settings.windows().dedupRetention()).plusSeconds(60);
        h.wallClockTo(far);
        h.send(Harness.event("n2", 1, far));
        // a copy of the very first event: the seen-set no longer covers it, so it cannot be told from a
        // straggler; it is late for both resolutions and the sink's natural key drops the copy
        h.send(at("n1", Duration.ZERO));
        assertThat(h.late.readRecordsToList()).hasSize(1)
                .allSatisfy(r -> assertThat(Harness.header(r, RepairHeader.NAME)).isEqualTo("1m,1h"));
        assertThat(h.validEvents()).hasSize(2);
    }
}
