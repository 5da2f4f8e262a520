package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TickScheduleTest {
    private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
    private final TickSchedule ten = new TickSchedule(Duration.ofSeconds(10));

    @Test
    void ticksAreMultiplesOfTheIntervalSinceTheEpoch() {
        assertThat(ten.first(T0.plusMillis(7_500))).isEqualTo(T0.plusSeconds(10));
        assertThat(ten.first(T0.minusMillis(1))).isEqualTo(T0);
        assertThat(new TickSchedule(Duration.ofSeconds(7)).first(Instant.ofEpochMilli(15_000)))
                .isEqualTo(Instant.ofEpochMilli(14_000));
        assertThat(new TickSchedule(Duration.ofSeconds(7)).first(Instant.ofEpochMilli(18_000)))
                .isEqualTo(Instant.ofEpochMilli(21_000));
    }

    @Test
    void aTickJustPassedStillRunsWithinHalfAnInterval() {
        assertThat(ten.first(T0.plusMillis(4_999))).isEqualTo(T0);
        assertThat(ten.first(T0.plusMillis(5_000))).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void theNextTickFollowsAfterOneIntervalWhenTheCycleWasShort() {
        TickSchedule.Next next = ten.next(T0, T0.plusMillis(40));
        assertThat(next.tick()).isEqualTo(T0.plusSeconds(10));
        assertThat(next.skipped()).isZero();
        assertThat(ten.next(T0, T0.plusMillis(14_000))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(10), 0));
    }

    @Test
    void anOverrunSkipsTheMissedTicksAndCountsThem() {
        assertThat(ten.next(T0, T0.plusMillis(15_000))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(20), 1));
        assertThat(ten.next(T0, T0.plusMillis(47_000))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(50), 4));
        assertThat(ten.next(T0, T0.plusMillis(43_000))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(40), 3));
    }

    @Test
    void aTickWokenUpForTooLateIsSkippedWithTheOnesAfterIt() {
        assertThat(ten.due(T0, T0.minusMillis(3_000))).isEqualTo(new TickSchedule.Next(T0, 0));
        assertThat(ten.due(T0, T0.plusMillis(4_999))).isEqualTo(new TickSchedule.Next(T0, 0));
        assertThat(ten.due(T0, T0.plusMillis(5_000))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(10), 1));
        assertThat(ten.due(T0, T0.plus(Duration.ofHours(1)))).isEqualTo(new TickSchedule.Next(T0.plusSeconds(3600),
                360));
    }

    @Test
    void tickerSkipsTicksTheProcessSleptPastInsteadOfStampingALateReadingWithThem() throws InterruptedException {
        MutableClock clock = new MutableClock(T0.plusMillis(2_300));
        List<Instant> ticks = new ArrayList<>();
        List<Instant> startedAt = new ArrayList<>();
        AtomicLong skipped = new AtomicLong();
        AtomicLong sleeps = new AtomicLong();
        Ticker[] ticker = new Ticker[1];
        Ticker.Sleeper suspendedOnce = (t, tk) -> {
            if (t.isAfter(clock.instant())) {
                clock.set(t);
            }
            if (sleeps.incrementAndGet() == 2) {
                clock.advance(Duration.ofHours(1)); // a VM suspend or a forward step of the clock while asleep
            }
        };
        ticker[0] = new Ticker(ten, clock, suspendedOnce, tick -> {
            ticks.add(tick);
            startedAt.add(clock.instant());
            clock.advance(Duration.ofMillis(50));
            if (ticks.size() == 3) {
                ticker[0].stop();
            }
        }, skipped::addAndGet);
        ticker[0].run();
        assertThat(ticks).containsExactly(T0, T0.plusSeconds(3610), T0.plusSeconds(3620));
        assertThat(skipped.get()).as("T0+10s .. T0+3600s").isEqualTo(360);
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(Duration.between(ticks.get(i), startedAt.get(i))).as("ran within half an interval of its time")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void tickerRunsOneCycleAtATimeAndSkipsWhatAnOverrunMissed() throws InterruptedException {
        MutableClock clock = new MutableClock(T0.plusMillis(2_300));
        List<Instant> ticks = new ArrayList<>();
        List<Instant> startedAt = new ArrayList<>();
        AtomicLong skipped = new AtomicLong();
        Duration[] cycleTimes = {Duration.ofMillis(50), Duration.ofMillis(26_000), Duration.ofMillis(50),
            Duration.ofMillis(9_000), Duration.ofMillis(50)};
        Ticker[] ticker = new Ticker[1];
        Ticker.Sleeper fakeSleep = (t, tk) -> {
            if (t.isAfter(clock.instant())) {
                clock.set(t);
            }
        };
        ticker[0] = new Ticker(ten, clock, fakeSleep, tick -> {
            ticks.add(tick);
            startedAt.add(clock.instant());
            clock.advance(cycleTimes[ticks.size() - 1]);
            if (ticks.size() == cycleTimes.length) {
                ticker[0].stop();
            }
        }, skipped::addAndGet);
        ticker[0].run();
        assertThat(ticks).containsExactly(T0, T0.plusSeconds(10), T0.plusSeconds(40), T0.plusSeconds(50),
                T0.plusSeconds(60));
        assertThat(skipped.get()).isEqualTo(2);
        for (int i = 0; i < ticks.size(); i++) {
            assertThat(Duration.between(ticks.get(i), startedAt.get(i))).as("started within half an interval")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aStoppedTickerReturnsWithoutAnotherCycle() throws InterruptedException {
        MutableClock clock = new MutableClock(T0);
        List<Instant> ticks = new ArrayList<>();
        Ticker[] ticker = new Ticker[1];
        ticker[0] = new Ticker(ten, clock, Ticker.systemSleeper(clock), tick -> {
            ticks.add(tick);
            ticker[0].stop();
        }, n -> { });
        ticker[0].run();
        assertThat(ticks).containsExactly(T0);
    }
}
