package io.nodepulse.agent;

import io.nodepulse.agent.spool.SpoolStatus;
import io.nodepulse.agent.transport.PublisherStatus;
import io.nodepulse.ops.Readiness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The agent's /readyz answer from a snapshot of its parts. */
final class ReadinessCheck {
    static final long BUDGET_DROP_MEMORY_MS = Duration.ofMinutes(5).toMillis();
    /** Intervals without a finished cycle after which collection counts as stalled, whatever the cause. */
    static final int STALL_INTERVALS = 3;

    private ReadinessCheck() {
    }

    /** The outcome of a collection cycle; {@code endNanos} is when it ended, on {@link System#nanoTime()}. */
    record Cycle(Instant tick, long millis, String error, List<String> failingCollectors, boolean anyCollectorOk,
                 long endNanos) {
    }

    /**
     * @param last      the last cycle, null before the first
     * @param sinceLast time since the last cycle ended, on the monotonic clock (a wall-clock step does not move it)
     * @param interval  the collection interval
     * @param spool     the spool's state
     * @param publisher the sender's state
     * @param selfCheck start-up findings, shown as they are
     * @param nowMillis wall-clock now, for the memory of budget drops
     */
    static Readiness evaluate(Cycle last, Duration sinceLast, Duration interval, SpoolStatus spool,
                              PublisherStatus publisher, List<String> selfCheck, long nowMillis) {
        List<String> detail = new ArrayList<>();
        boolean ready = true;
        if (last == null) {
            ready = false;
            detail.add("collection: no cycle yet (interval " + interval + ")");
        } else if (sinceLast.compareTo(interval.multipliedBy(STALL_INTERVALS)) > 0) {
            ready = false;
            detail.add("collection: stalled: the last cycle (tick " + last.tick() + ") ended " + sinceLast.toSeconds()
                    + " s ago, more than " + STALL_INTERVALS + " intervals of " + interval.toSeconds() + " s");
        } else if (last.error() != null) {
            ready = false;
            detail.add("collection: the cycle at " + last.tick() + " failed: " + last.error());
        } else if (!last.anyCollectorOk()) {
            ready = false;
            detail.add("collection: every collector failed at " + last.tick() + ": " + String.join("; ",
                    last.failingCollectors()));
        } else {
            detail.add("collection: ok at " + last.tick() + " in " + last.millis() + " ms"
                    + (last.failingCollectors().isEmpty() ? "" : "; failing: " + String.join("; ",
                    last.failingCollectors())));
        }
        boolean recentDrop = spool.lastBudgetDropMillis() > 0
                && nowMillis - spool.lastBudgetDropMillis() < BUDGET_DROP_MEMORY_MS;
        String spoolLine = "spool: " + spool.pending() + " event(s) pending, " + spool.bytes() + " of "
                + spool.maxBytes() + " bytes (" + (100 * spool.bytes() / Math.max(1, spool.maxBytes())) + "%)";
        if (spool.writeFailure() != null) {
            ready = false;
            detail.add(spoolLine + "; cannot write: " + spool.writeFailure() + "; " + spool.heldEvents()
                    + " event(s) held in memory");
        } else if (recentDrop) {
            detail.add(spoolLine + "; over budget: dropped the oldest events at " + Instant.ofEpochMilli(
                    spool.lastBudgetDropMillis()));
        } else {
            detail.add(spoolLine);
        }
        if (publisher.stopped()) {
            ready = false;
            detail.add("kafka: the sender stopped for good at " + Instant.ofEpochMilli(publisher.failingSinceMillis())
                    + ": " + publisher.failure() + "; the agent exits to be restarted, events wait in the spool");
        } else if (publisher.failure() == null) {
            detail.add("kafka: " + (publisher.lastAckMillis() == 0 ? "no acknowledgement yet"
                    : "delivering, last acknowledgement " + Instant.ofEpochMilli(publisher.lastAckMillis()))
                    + (publisher.schemaRegistered() ? "" : "; writer schema not registered yet"));
        } else {
            detail.add("kafka: failing since " + Instant.ofEpochMilli(publisher.failingSinceMillis()) + ": "
                    + publisher.failure() + "; events wait in the spool");
            if (recentDrop) {
                ready = false;
            }
        }
        for (String f : selfCheck) {
            detail.add("self-check: " + f);
        }
        return new Readiness(ready, detail);
    }
}
