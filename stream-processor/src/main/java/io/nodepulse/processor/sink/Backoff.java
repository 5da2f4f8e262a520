package io.nodepulse.processor.sink;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with a cap and a little jitter, so many processors do not retry in step. */
public final class Backoff {
    private final long minMillis;
    private final long maxMillis;
    private int attempt;

    public Backoff(Duration min, Duration max) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
    }

    /** Failures since the last {@link #reset()}. */
    public int attempt() {
        return attempt;
    }

    /** Records a failure and returns how long to wait before the next try: min·2^(n-1), capped, minus up to 20 %. */
    public Duration next() {
        attempt++;
        double jitter = 0.8 + 0.2 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(delayMillis(attempt) * jitter)));
    }

    /** The delay before jitter after {@code attempt} failures. */
    long delayMillis(int attempt) {
        int shift = Math.min(attempt - 1, 40);
        long d = minMillis << shift;
        return d <= 0 || d > maxMillis || shift >= 40 ? maxMillis : d;
    }

    public void reset() {
        attempt = 0;
    }
}
