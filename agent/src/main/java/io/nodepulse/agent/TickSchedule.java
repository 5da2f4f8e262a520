package io.nodepulse.agent;

import java.time.Duration;
import java.time.Instant;

/**
 * Wall-clock-aligned ticks: every tick is a multiple of the interval since the epoch, so (cluster, node, tick)
 * is a natural key. A tick runs at its time or, when the agent wakes late, up to half an interval after it. A
 * tick more than half an interval in the past (a cycle overran, the clock stepped forward, the process was
 * paused or suspended) is skipped and counted, so cycles never pile up and a reading is never more than half an
 * interval away from its stamp. After the clock steps back by more than half an interval, the ticks follow it
 * (see {@link #due}), so ticks already run may come round again.
 */
final class TickSchedule {
    private final long intervalMs;
    private final long toleranceMs;

    TickSchedule(Duration interval) {
        this.intervalMs = interval.toMillis();
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.toleranceMs = intervalMs / 2;
    }

    /**
     * The next tick and how many ticks were skipped before it; {@code steppedBackMs} > 0 when the wall clock went
     * back by at least that much and the ticks were realigned to it.
     */
    record Next(Instant tick, long skipped, long steppedBackMs) {
        Next(Instant tick, long skipped) {
            this(tick, skipped, 0);
        }
    }

    /** The first tick when starting at {@code now}. */
    Instant first(Instant now) {
        return Instant.ofEpochMilli(earliestRunnable(now.toEpochMilli()));
    }

    /** The tick after {@code previous}, given that the previous cycle ended at {@code now}. */
    Next next(Instant previous, Instant now) {
        return due(previous.plusMillis(intervalMs), now);
    }

    /**
     * What becomes of {@code tick}, not run yet, at {@code now}: it stays the tick to run (or wait for) while now
     * is less than half an interval after it; further past (a cycle overran, the clock stepped forward, the process
     * was suspended), it is skipped with the ticks after it up to the first one still runnable. A tick is never
     * more than an interval ahead of the clock, unless the clock went back: when it is more than an interval and a
     * half ahead (a backward step of more than half an interval), the ticks realign to the clock as at a start,
     * rather than wait for the old ones to come round again.
     */
    Next due(Instant tick, Instant now) {
        long t = tick.toEpochMilli();
        long n = now.toEpochMilli();
        if (t - n > intervalMs + toleranceMs) {
            return new Next(first(now), 0, t - intervalMs - n);
        }
        long runnable = Math.max(t, earliestRunnable(n));
        return new Next(Instant.ofEpochMilli(runnable), (runnable - t) / intervalMs);
    }

    /** The smallest aligned tick t with now - t < tolerance, i.e. t > now - tolerance. */
    private long earliestRunnable(long now) {
        long x = now - toleranceMs;
        return Math.floorDiv(x, intervalMs) * intervalMs + intervalMs;
    }
}
