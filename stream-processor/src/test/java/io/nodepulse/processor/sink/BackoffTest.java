package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheMinimumUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));
        assertThat(b.delayMillis(1)).isEqualTo(200);
        assertThat(b.delayMillis(2)).isEqualTo(400);
        assertThat(b.delayMillis(8)).isEqualTo(25_600);
        assertThat(b.delayMillis(9)).isEqualTo(30_000);
        assertThat(b.delayMillis(1000)).isEqualTo(30_000);
    }

    @Test
    void jitterTakesAtMostAFifthOffAndResetStartsOver() {
        Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(4));
        assertThat(b.next().toMillis()).isBetween(800L, 1000L);
        assertThat(b.next().toMillis()).isBetween(1600L, 2000L);
        for (int i = 0; i < 50; i++) {
            assertThat(b.next().toMillis()).isBetween(3200L, 4000L);
        }
        assertThat(b.attempt()).isEqualTo(52);
        b.reset();
        assertThat(b.attempt()).isZero();
        assertThat(b.next().toMillis()).isBetween(800L, 1000L);
    }
}
