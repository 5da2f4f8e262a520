package io.nodepulse.processor.window;

import java.time.Duration;

/**
 * The two tumbling event-time window sizes, their grace periods and the lateness rule shared by the dedup step
 * and the windows: an event is late for a resolution when its window has closed, that is when
 * {@code windowEnd + grace <= streamTime}, exactly where the DSL window would drop it.
 */
public record RollupWindows(Duration grace1m, Duration grace1h) {
    public static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    public static final Duration ONE_HOUR = Duration.ofHours(1);

    public RollupWindows {
        if (grace1m.isNegative() || grace1h.isNegative()) {
            throw new IllegalArgumentException("grace periods cannot be negative");
        }
        if (grace1m.compareTo(grace1h) > 0) {
            throw new IllegalArgumentException("the 1-minute grace (" + grace1m + ") cannot exceed the 1-hour grace ("
                    + grace1h + ")");
        }
    }

    public static long windowStart(long eventTime, Duration size) {
        return eventTime - Math.floorMod(eventTime, size.toMillis());
    }

    public static long windowEnd(long eventTime, Duration size) {
        return windowStart(eventTime, size) + size.toMillis();
    }

    public boolean lateFor1m(long eventTime, long streamTime) {
        return windowEnd(eventTime, ONE_MINUTE) + grace1m.toMillis() <= streamTime;
    }

    public boolean lateFor1h(long eventTime, long streamTime) {
        return windowEnd(eventTime, ONE_HOUR) + grace1h.toMillis() <= streamTime;
    }

    /**
     * How far ahead of the processor's wall clock an event may move stream time: a third of the 1-minute grace,
     * at most 10 s. Without a bound, one node whose clock runs ahead would close the windows of every other node
     * of its partition before their events arrived.
     */
    public long aheadOfClockMs() {
        return Math.min(10_000, grace1m.toMillis() / 3);
    }

    /**
     * The time an event counts at for stream time and for the window it goes into: its own, but never more than
     * {@link #aheadOfClockMs()} past the wall clock {@code now}. Replays and backlogs are far behind the wall
     * clock and keep their own times.
     */
    public long capped(long eventTime, long now) {
        return Math.min(eventTime, now + aheadOfClockMs());
    }

    /**
     * Retention of a window store: the window, its grace and two tick steps, so a closed window is still
     * there when the next record (at most one tick step later) emits it.
     */
    public Duration storeRetention(Duration size) {
        Duration grace = size.equals(ONE_HOUR) ? grace1h : grace1m;
        return size.plus(grace).plus(Duration.ofMinutes(2));
    }

    /**
     * How long the dedup store must remember an event time: anything older than this behind stream time is late
     * for both resolutions, so it takes the late path whatever the store says (the sink drops the copy).
     */
    public Duration dedupRetention() {
        return ONE_HOUR.plus(grace1h).plus(ONE_MINUTE);
    }
}
