package io.nodepulse.agent.collect;

/**
 * The change of a set of counters between two readings, and rates over the measured time between them.
 * A counter that went down was reset (device re-created, driver reloaded) or wrapped at a width we cannot
 * know: its rate is null, never negative and never guessed. Counters the kernel prints as 32-bit values are
 * the exception: {@link #diff32} takes a decrease as one wrap at 2^32 when the result is plausible.
 */
final class Delta {
    private static final long WRAP_32 = 1L << 32;

    /** Seconds between the two readings; always positive. */
    final double seconds;
    private final long[] prev;
    private final long[] cur;

    Delta(double seconds, long[] prev, long[] cur) {
        this.seconds = seconds;
        this.prev = prev;
        this.cur = cur;
    }

    /** How much counter {@code i} grew, or -1 when it went down. */
    long diff(int i) {
        long d = cur[i] - prev[i];
        return d >= 0 ? d : -1;
    }

    /**
     * Growth of a counter printed as a 32-bit unsigned value: a decrease is taken as one wrap when the wrapped
     * growth is at most {@code maxPerSecond} over the interval; otherwise -1 (a reset).
     */
    long diff32(int i, double maxPerSecond) {
        long d = cur[i] - prev[i];
        if (d >= 0) {
            return d;
        }
        if (prev[i] >= WRAP_32 || cur[i] >= WRAP_32) {
            return -1;
        }
        long wrapped = d + WRAP_32;
        return wrapped <= maxPerSecond * seconds ? wrapped : -1;
    }

    /** Counter {@code i}'s growth per second times {@code scale}, or null when it went down. */
    Double perSecond(int i, double scale) {
        return rate(diff(i), scale);
    }

    Double perSecond(int i) {
        return rate(diff(i), 1.0);
    }

    /** A growth per second times {@code scale}, or null for a negative (reset) growth. */
    Double rate(long growth, double scale) {
        return growth < 0 ? null : growth * scale / seconds;
    }

    /** A share of the interval, clamped to 0..1 against timing jitter between the kernel and the reader. */
    static Double clampRatio(Double r) {
        return r == null ? null : Math.max(0.0, Math.min(1.0, r));
    }
}
