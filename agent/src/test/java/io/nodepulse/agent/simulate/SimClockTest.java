package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimClockTest {
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void atOneSimulatedTimeIsTheWallClock() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 1, null);
        wall.advance(Duration.ofSeconds(42));
        assertThat(c.now()).isEqualTo(T0.plusSeconds(42));
    }

    @Test
    void fasterTimeStartsInThePastAndReachesNowAtTheEnd() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 10, Duration.ofMinutes(6));
        assertThat(c.now()).isEqualTo(T0.minus(Duration.ofMinutes(54)));
        assertThat(c.simStart()).isEqualTo(c.now());
        for (int s = 0; s < 360; s++) {
            wall.advance(Duration.ofSeconds(1));
            assertThat(c.now()).as("never ahead of the wall clock").isBeforeOrEqualTo(wall.instant());
        }
        assertThat(c.now()).isEqualTo(T0.plus(Duration.ofMinutes(6)));
        wall.advance(Duration.ofSeconds(-60));
        assertThat(c.now()).as("ten simulated minutes per wall minute").isEqualTo(T0.minus(Duration.ofMinutes(4)));
    }

    @Test
    void fasterTimeKeepsToTheWallClockAfterThePlannedEnd() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 1000, Duration.ofMinutes(1));
        wall.advance(Duration.ofMinutes(1).plusMillis(400)); // the final shutdown takes a while
        assertThat(c.now()).isEqualTo(wall.instant());
        wall.advance(Duration.ofSeconds(30));
        assertThat(c.now()).isEqualTo(wall.instant());
    }

    @Test
    void wallTimeUntilAnInstantPastThePlannedEnd() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 4, Duration.ofMinutes(1));
        // one wall minute brings simulated time to the end, then it runs at the wall clock's pace
        assertThat(c.wallMillisUntil(T0.plus(Duration.ofMinutes(1)).plusSeconds(5))).isEqualTo(65_000);
        wall.advance(Duration.ofMinutes(2));
        assertThat(c.wallMillisUntil(wall.instant().plusSeconds(3))).isEqualTo(3000);
    }

    @Test
    void slowerTimeStartsNowAndFallsBehind() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 0.5, null);
        wall.advance(Duration.ofSeconds(60));
        assertThat(c.now()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void wallTimeUntilASimulatedInstant() {
        MutableClock wall = new MutableClock(T0);
        SimClock c = SimClock.start(wall, 4, Duration.ofMinutes(1));
        assertThat(c.wallMillisUntil(c.now().plusSeconds(8))).isEqualTo(2000);
        assertThat(c.wallMillisUntil(c.now().minusSeconds(8))).isZero();
    }

    @Test
    void fasterTimeNeedsADuration() {
        assertThatThrownBy(() -> SimClock.start(new MutableClock(T0), 2, null))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> SimClock.start(new MutableClock(T0), 0, null))
                .hasMessageContaining("positive");
    }
}
