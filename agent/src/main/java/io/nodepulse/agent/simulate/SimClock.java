package io.nodepulse.agent.simulate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time: {@code sim(w) = A + X·(w − A)} for wall-clock time {@code w} and rate multiplier {@code X}.
 * The anchor {@code A} is chosen so that simulated time never runs ahead of the wall clock:
 * <ul>
 *   <li>X = 1: simulated time is the wall clock;</li>
 *   <li>X &gt; 1: A is the planned end of the run, so simulated time starts {@code (X − 1)·duration} in the past
 *       and reaches the wall clock exactly at the end (the run must have a duration); past the end (the final
 *       shutdown, a late stop) it stays at the wall clock;</li>
 *   <li>X &lt; 1: A is the start, so simulated time starts at the wall clock and falls behind it.</li>
 * </ul>
 * Event times are therefore never in the future, and at most {@code (X − 1)·duration} in the past.
 */
public final class SimClock {
    private final Clock wall;
    private final double multiplier;
    private final long anchorMs;
    private final Instant wallStart;

    private SimClock(Clock wall, double multiplier, long anchorMs) {
        this.wall = wall;
        this.multiplier = multiplier;
        this.anchorMs = anchorMs;
        this.wallStart = wall.instant();
    }

    /**
     * @param duration the run's planned length; required when {@code multiplier > 1}
     */
    public static SimClock start(Clock wall, double multiplier, Duration duration) {
        if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("the rate multiplier must be a positive number");
        }
        long now = wall.millis();
        if (multiplier > 1) {
            if (duration == null) {
                throw new IllegalArgumentException("a rate multiplier above 1 needs a duration");
            }
            return new SimClock(wall, multiplier, now + duration.toMillis());
        }
        return new SimClock(wall, multiplier, now);
    }

    /** The wall clock itself (multiplier 1). */
    public static SimClock realTime(Clock wall) {
        return start(wall, 1, null);
    }

    public Instant now() {
        return Instant.ofEpochMilli(at(wall.millis()));
    }

    /** Simulated time at wall-clock time {@code wallMs}. */
    long at(long wallMs) {
        if (multiplier == 1) {
            return wallMs;
        }
        long sim = anchorMs + Math.round(multiplier * (wallMs - anchorMs));
        // faster time meets the wall clock at the anchor and then keeps to it
        return multiplier > 1 ? Math.min(sim, wallMs) : sim;
    }

    /** Wall-clock milliseconds until simulated time reaches {@code sim}; 0 if it has. */
    long wallMillisUntil(Instant sim) {
        long w = wall.millis();
        long target = sim.toEpochMilli();
        if (target <= at(w)) {
            return 0;
        }
        if (multiplier > 1 && target >= anchorMs) {
            // reached at the anchor or later, where simulated time is the wall clock
            return target - w;
        }
        return (long) Math.ceil((target - at(w)) / multiplier);
    }

    /** Simulated time at the start of the run. */
    public Instant simStart() {
        return Instant.ofEpochMilli(at(wallStart.toEpochMilli()));
    }

    public double multiplier() {
        return multiplier;
    }

    public Instant wallNow() {
        return wall.instant();
    }

    public Instant wallStart() {
        return wallStart;
    }
}
