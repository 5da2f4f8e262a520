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

    /**
     * Waits until a wall-clock instant; returns early when woken by {@link Ticker#stop()} or when the clock went
     * back (the ticker then decides again what to wait for).
     */
    interface Sleeper {
        void sleepUntil(Instant t, Ticker ticker) throws InterruptedException;
    }

    /** One wait on the ticker's monitor, held by the caller: {@code ticker.wait(ms)} in production. */
    interface Wait {
        void on(Ticker ticker, long ms) throws InterruptedException;
    }

    /**
     * Sleeps in steps of at most a second, re-reading the clock, so clock steps are followed: a forward step ends
     * the sleep at once, a backward step (more time left than a second ago) ends it early.
     */
    static Sleeper systemSleeper(Clock clock) {
        return sleeper(clock, Object::wait);
    }

    static Sleeper sleeper(Clock clock, Wait wait) {
        return (t, ticker) -> {
            synchronized (ticker) {
                long before = Long.MAX_VALUE;
                while (!ticker.stopped) {
                    long left = t.toEpochMilli() - clock.millis();
                    if (left <= 0 || left > before) {
                        return;
                    }
                    before = left;
                    wait.on(ticker, Math.min(left, 1000));
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
            if (!due.tick().equals(tick)) {
                // the clock moved while asleep: forward (or the process was suspended), or back
                report(due, tick, now, "woke at " + now + " for tick " + tick + ", more than half an interval late "
                        + "(the clock stepped forward or the process was suspended)");
                tick = due.tick();
                continue;
            }
            if (now.isBefore(tick)) {
                continue; // woken early by a small backward step: the same tick is still next
            }
            cycle.accept(tick);
            Instant end = clock.instant();
            TickSchedule.Next next = schedule.next(tick, end);
            report(next, tick, end, "collection for tick " + tick + " ended at " + end);
            tick = next.tick();
        }
    }

    private void report(TickSchedule.Next next, Instant tick, Instant now, String skipReason) {
        if (next.steppedBackMs() > 0) {
            log.warn("the wall clock went back by at least {} ms (now {}, after tick {}): the ticks follow the clock, "
                    + "next is {}; event times this run already used may come round again, as new events with higher "
                    + "seq numbers", next.steppedBackMs(), now, tick, next.tick());
        } else if (next.skipped() > 0) {
            skipped.accept(next.skipped());
            log.warn("{}: skipped {} tick(s), next is {}", skipReason, next.skipped(), next.tick());
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
