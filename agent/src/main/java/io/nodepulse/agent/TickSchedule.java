package io.nodepulse.agent;

import java.time.Duration;
import java.time.Instant;

/**
 * Wall-clock-aligned ticks: every tick is a multiple of the interval since the epoch, so (cluster, node, tick)
 * is a natural key. A tick runs at its time or, when the agent wakes late, up to half an interval after it. A
 * tick more than half an interval in the past (a cycle overran, the process was paused) is skipped and counted,
 * so cycles never pile up and readings stay close to their stamp.
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

    /** The next tick and how many ticks were skipped before it. */
    record Next(Instant tick, long skipped) {
    }

    /** The first tick when starting at {@code now}. */
    Instant first(Instant now) {
        return Instant.ofEpochMilli(earliestRunnable(now.toEpochMilli()));
    }

    /** The tick after {@code previous}, given that the previous cycle ended at {@code now}. */
    Next next(Instant previous, Instant now) {
        long candidate = previous.toEpochMilli() + intervalMs;
        long t = Math.max(candidate, earliestRunnable(now.toEpochMilli()));
        return new Next(Instant.ofEpochMilli(t), (t - candidate) / intervalMs);
    }

    /** The smallest aligned tick t with now - t < tolerance, i.e. t > now - tolerance. */
    private long earliestRunnable(long now) {
        long x = now - toleranceMs;
        return Math.floorDiv(x, intervalMs) * intervalMs + intervalMs;
    }
}
