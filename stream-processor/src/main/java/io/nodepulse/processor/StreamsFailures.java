package io.nodepulse.processor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failed stream thread means. A full state directory (ENOSPC, or a disk quota) is waited out: the
 * thread is replaced after a growing pause, and readiness names the problem, so freeing space or growing the
 * volume brings the processor back without restarts. Anything else stops the client, and the process exits.
 */
final class StreamsFailures {
    private static final Logger log = LoggerFactory.getLogger(StreamsFailures.class);
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofMinutes(1);

    /** Waits up to the given time, returning early when the processor closes. */
    interface Waiter {
        void await(Duration d) throws InterruptedException;
    }

    private final Path stateDir;
    private final Waiter waiter;
    private final java.util.function.LongSupplier clock;
    private Duration nextWait = FIRST_WAIT;
    private volatile String problem;
    private volatile long problemUntil;

    StreamsFailures(Path stateDir, Waiter waiter, java.util.function.LongSupplier clock) {
        this.stateDir = stateDir;
        this.waiter = waiter;
        this.clock = clock;
    }

    /** The response to a stream thread of {@code app} that died of {@code e}. */
    synchronized StreamThreadExceptionResponse onFailure(String app, Throwable e) {
        String full = diskFull(e);
        if (full == null) {
            log.error("stream thread of {} failed: {}", app, e.toString(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (clock.getAsLong() >= problemUntil) {
            nextWait = FIRST_WAIT; // a new episode
        }
        Duration wait = nextWait;
        nextWait = nextWait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : nextWait.multipliedBy(2);
        problem = "the state directory " + stateDir + " is full (" + full + "): free space or grow the volume of "
                + "NODEPULSE_STATE_DIR; " + app + " retries every " + MAX_WAIT.toSeconds() + " s at most";
        problemUntil = clock.getAsLong() + 2 * MAX_WAIT.toMillis();
        log.error("{}; replacing the stream thread of {} in {} s", problem, app, wait.toSeconds(), e);
        try {
            waiter.await(wait);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The disk-full problem seen lately, or null; it fades two maximum pauses after the last failure. */
    String problem() {
        return clock.getAsLong() < problemUntil ? problem : null;
    }

    /** The cause's message when {@code e} comes from a full disk (ENOSPC or EDQUOT), else null. */
    static String diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
                    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
                }
            }
        }
        return null;
    }
}
