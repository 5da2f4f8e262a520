package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.spool.SpoolStatus;
import io.nodepulse.agent.transport.PublisherStatus;
import io.nodepulse.ops.Readiness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessCheckTest {
    private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
    private static final Duration TEN = Duration.ofSeconds(10);
    private static final ReadinessCheck.Cycle OK = new ReadinessCheck.Cycle(T0, 40, null, List.of(), true, 0);
    private static final SpoolStatus SPOOL = new SpoolStatus(4096, 1 << 20, 1, 0, 0, null, 0);
    private static final PublisherStatus DELIVERING = new PublisherStatus(true, T0.toEpochMilli(), null, 0, false);

    private static Readiness evaluate(Duration sinceLast, PublisherStatus publisher) {
        return ReadinessCheck.evaluate(OK, sinceLast, TEN, SPOOL, publisher, List.of(), T0.toEpochMilli());
    }

    @Test
    void readyWhileCyclesKeepEnding() {
        Readiness r = evaluate(Duration.ofSeconds(25), DELIVERING);
        assertThat(r.ready()).isTrue();
        assertThat(r.detail().get(0)).isEqualTo("collection: ok at " + T0 + " in 40 ms");
    }

    @Test
    void notReadyWhenNoCycleEndedForThreeIntervalsWhateverTheCause() {
        Readiness r = evaluate(Duration.ofSeconds(31), DELIVERING);
        assertThat(r.ready()).isFalse();
        assertThat(r.detail().get(0)).isEqualTo("collection: stalled: the last cycle (tick " + T0 + ") ended 31 s "
                + "ago, more than 3 intervals of 10 s");
    }

    @Test
    void notReadyOnceTheSenderStoppedForGood() {
        Readiness r = evaluate(Duration.ofSeconds(1), new PublisherStatus(true, 0,
                "java.lang.UnsatisfiedLinkError: libzstd-jni.so", T0.toEpochMilli(), true));
        assertThat(r.ready()).isFalse();
        assertThat(r.detail()).contains("kafka: the sender stopped for good at " + T0 + ": java.lang"
                + ".UnsatisfiedLinkError: libzstd-jni.so; the agent exits to be restarted, events wait in the spool");
    }
}
