package io.nodepulse.agent;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cycle per tick of a {@link TickSchedule} on the calling thread until {@link #stop()}. A cycle
 * never overlaps the next; ticks missed by an overrun, or passed while asleep, are skipped and reported, so no
 * tick runs more than half an interval after its time.
 */
final class Ticker {
    private static final Logger log = LoggerFactory.getLogger(Ticker.class);

    /** Waits until a wall-clock instant; returns early when woken by {@link Ticker#stop()}. */
    interface Sleeper {
        void sleepUntil(Instant t, Ticker ticker) throws InterruptedException;
    }

    /** Sleeps in steps of at most a second, re-reading the clock, so clock steps are followed. */
    static Sleeper systemSleeper(Clock clock) {
        return (t, ticker) -> {
            synchronized (ticker) {
                while (!ticker.stopped) {
                    long left = t.toEpochMilli() - clock.millis();
                    if (left <= 0) {
                        return;
                    }
                    ticker.wait(Math.min(left, 1000));
                }
            }
        };
    }

    private final TickSchedule schedule;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<Instant> cycle;
    private final LongConsumer skipped;
    private volatile boolean stopped;

    Ticker(TickSchedule schedule, Clock clock, Sleeper sleeper, Consumer<Instant> cycle, LongConsumer skipped) {
        this.schedule = schedule;
        this.clock = clock;
        this.sleeper = sleeper;
        this.cycle = cycle;
        this.skipped = skipped;
    }

    /** Runs until stopped; returns after the cycle in progress, if any, finishes. */
    void run() throws InterruptedException {
        Instant tick = schedule.first(clock.instant());
        while (!stopped) {
            sleeper.sleepUntil(tick, this);
            if (stopped) {
                return;
            }
            Instant now = clock.instant();
            TickSchedule.Next due = schedule.due(tick, now);
            if (due.skipped() > 0) {
                // the clock stepped forward or the process was suspended while it slept
                skipped.accept(due.skipped());
                log.warn("woke at {} for tick {}, more than half an interval late (the clock stepped forward or the "
                        + "process was suspended): skipped {} tick(s), next is {}", now, tick, due.skipped(),
                        due.tick());
                tick = due.tick();
                continue;
            }
            cycle.accept(tick);
            TickSchedule.Next next = schedule.next(tick, clock.instant());
            if (next.skipped() > 0) {
                skipped.accept(next.skipped());
                log.warn("collection for tick {} ended at {}: skipped {} tick(s), next is {}", tick, clock.instant(),
                        next.skipped(), next.tick());
            }
            tick = next.tick();
        }
    }

    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    boolean stopped() {
        return stopped;
    }
}
