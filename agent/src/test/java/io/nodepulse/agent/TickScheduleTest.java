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
    void aBackwardStepOfMoreThanHalfAnIntervalRealignsTheTicksToTheClock() {
        assertThat(ten.next(T0, T0.minus(Duration.ofHours(1)))).as("after a cycle")
                .isEqualTo(new TickSchedule.Next(T0.minus(Duration.ofHours(1)), 0, 3_600_000));
        assertThat(ten.due(T0.plusSeconds(10), T0.minus(Duration.ofHours(1)).plusMillis(7_000))).as("while asleep")
                .isEqualTo(new TickSchedule.Next(T0.minus(Duration.ofHours(1)).plusSeconds(10), 0, 3_593_000));
        assertThat(ten.next(T0, T0.minusMillis(5_000))).as("a smaller step is waited out")
                .isEqualTo(new TickSchedule.Next(T0.plusSeconds(10), 0));
        assertThat(ten.due(T0.plusSeconds(10), T0.minusMillis(5_000))).isEqualTo(new TickSchedule.Next(
                T0.plusSeconds(10), 0));
    }

    /** Runs a ticker on {@code clock} until it has run {@code cycles} cycles; each cycle takes 50 ms. */
    private static List<Instant[]> runTicker(MutableClock clock, Ticker.Sleeper sleeper, int cycles,
                                             Runnable duringFirstCycle, AtomicLong skipped)
            throws InterruptedException {
        List<Instant[]> ran = new ArrayList<>();
        Ticker[] ticker = new Ticker[1];
        ticker[0] = new Ticker(new TickSchedule(Duration.ofSeconds(10)), clock, sleeper, tick -> {
            ran.add(new Instant[] {tick, clock.instant()});
            if (ran.size() == 1) {
                duringFirstCycle.run();
            }
            clock.advance(Duration.ofMillis(50));
            if (ran.size() == cycles) {
                ticker[0].stop();
            }
        }, skipped::addAndGet);
        ticker[0].run();
        return ran;
    }

    private static void assertEachRanWithinHalfAnIntervalAfterItsTick(List<Instant[]> ran) {
        for (Instant[] r : ran) {
            assertThat(Duration.between(r[0], r[1])).as("tick %s ran at %s", r[0], r[1])
                    .isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aBackwardClockStepWhileAsleepRealignsTheTicksInsteadOfWaitingForTheOldOne() throws InterruptedException {
        MutableClock clock = new MutableClock(T0.plusMillis(2_300));
        AtomicLong sleeps = new AtomicLong();
        Ticker.Sleeper steppedBackOnce = (t, tk) -> {
            if (sleeps.incrementAndGet() == 2) {
                clock.advance(Duration.ofHours(-1)); // NTP steps back; the sleeper notices and returns early
                return;
            }
            if (t.isAfter(clock.instant())) {
                clock.set(t);
            }
        };
        AtomicLong skipped = new AtomicLong();
        List<Instant[]> ran = runTicker(clock, steppedBackOnce, 3, () -> { }, skipped);
        assertThat(ran).extracting(r -> r[0]).containsExactly(T0, T0.minus(Duration.ofHours(1)),
                T0.minus(Duration.ofHours(1)).plusSeconds(10));
        assertEachRanWithinHalfAnIntervalAfterItsTick(ran);
        assertThat(skipped.get()).isZero();
    }

    @Test
    void aBackwardClockStepDuringACycleRealignsTheTicksInsteadOfWaitingForTheOldOne() throws InterruptedException {
        MutableClock clock = new MutableClock(T0.plusMillis(2_300));
        Ticker.Sleeper fakeSleep = (t, tk) -> {
            if (t.isAfter(clock.instant())) {
                clock.set(t);
            }
        };
        List<Instant[]> ran = runTicker(clock, fakeSleep, 3, () -> clock.advance(Duration.ofHours(-1)),
                new AtomicLong());
        assertThat(ran).extracting(r -> r[0]).containsExactly(T0, T0.minus(Duration.ofHours(1)),
                T0.minus(Duration.ofHours(1)).plusSeconds(10));
        assertEachRanWithinHalfAnIntervalAfterItsTick(ran);
    }

    @Test
    void theSystemSleeperFollowsTheClockAndReturnsEarlyWhenItStepsBack() throws InterruptedException {
        MutableClock clock = new MutableClock(T0);
        List<Long> waits = new ArrayList<>();
        Ticker.Sleeper passing = Ticker.sleeper(clock, (tk, ms) -> {
            waits.add(ms);
            clock.advance(Duration.ofMillis(ms));
        });
        Ticker ticker = new Ticker(ten, clock, passing, t -> { }, n -> { });
        passing.sleepUntil(T0.plusMillis(2_500), ticker);
        assertThat(waits).containsExactly(1000L, 1000L, 500L);
        assertThat(clock.instant()).isEqualTo(T0.plusMillis(2_500));

        waits.clear();
        Ticker.Sleeper steppingBack = Ticker.sleeper(clock, (tk, ms) -> {
            waits.add(ms);
            clock.advance(Duration.ofMillis(ms).minus(Duration.ofHours(waits.size() == 1 ? 1 : 0)));
        });
        steppingBack.sleepUntil(T0.plusSeconds(10), ticker);
        assertThat(waits).as("one wait, then the step back is noticed").containsExactly(1000L);
        assertThat(clock.instant()).isEqualTo(T0.plusMillis(3_500).minus(Duration.ofHours(1)));
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
