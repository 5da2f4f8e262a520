package io.nodepulse.agent.collect.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TimexTest {
    @Test
    void offsetUnitFollowsStaNano() {
        Timex micro = new Timex(0, 0x0001, 1500, 0, 0, 0);
        Timex nano = new Timex(0, 0x2001, 1500, 0, 0, 0);
        assertThat(micro.offsetSeconds()).isCloseTo(0.0015, within(1e-15));
        assertThat(nano.offsetSeconds()).isCloseTo(0.0000015, within(1e-15));
    }

    @Test
    void frequencyIsScaledPpmAndErrorsAreMicroseconds() {
        Timex t = new Timex(0, 0, 0, -65536 * 3, 16_000_000, 2500);
        assertThat(t.frequencyPpm()).isEqualTo(-3.0);
        assertThat(t.maxErrorSeconds()).isEqualTo(16.0);
        assertThat(t.estimatedErrorSeconds()).isEqualTo(0.0025);
    }

    @Test
    void syncedNeedsUnsyncClearAndNoError() {
        assertThat(new Timex(0, 0x2001, 0, 0, 0, 0).synced()).isTrue();
        assertThat(new Timex(0, 0x0040, 0, 0, 0, 0).synced()).as("STA_UNSYNC").isFalse();
        assertThat(new Timex(Timex.TIME_ERROR, 0x0001, 0, 0, 0, 0).synced()).as("TIME_ERROR").isFalse();
    }
}
