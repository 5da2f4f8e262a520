package io.nodepulse.agent.encode;

import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Stamps the identity onto each event: cluster, node, run id, a sequence number that starts at 1 and grows by
 * one per event (the final SHUTDOWN event included), the tick as event time, the interval and the version.
 * Used by the collection thread, then once by the shutdown path after collection stopped.
 */
public final class EventStamper {
    private final AgentIdentity identity;
    private final int intervalMs;
    private final Supplier<String> bootId;
    private long seq;
    private Instant lastTick;

    /** @param bootId the current boot id, for an event without a sample (SHUTDOWN) */
    public EventStamper(AgentIdentity identity, Duration interval, Supplier<String> bootId) {
        this.identity = identity;
        this.intervalMs = Math.toIntExact(interval.toMillis());
        this.bootId = bootId;
    }

    public AgentIdentity identity() {
        return identity;
    }

    /** A SAMPLE event from a collected builder (which carries the boot id and the families). */
    public synchronized NodeMetrics sample(NodeMetrics.Builder collected, Instant tick) {
        if (!collected.hasBootId()) {
            collected.setBootId(bootId.get());
        }
        lastTick = tick;
        return stamp(collected, tick, EventKind.SAMPLE);
    }

    /**
     * The SHUTDOWN event: identity and boot id, no families. Its event time is the moment of the shutdown,
     * kept off the tick grid (moved by 1 ms when it falls on a tick, and after the last tick), so it never
     * shares (cluster, node, eventTime) with a sample of this run or the next.
     */
    public synchronized NodeMetrics shutdown(Instant now) {
        long ms = now.toEpochMilli();
        if (lastTick != null && ms <= lastTick.toEpochMilli()) {
            ms = lastTick.toEpochMilli() + 1;
        }
        if (Math.floorMod(ms, (long) intervalMs) == 0) {
            ms++;
        }
        NodeMetrics.Builder b = NodeMetrics.newBuilder().setBootId(bootId.get());
        return stamp(b, Instant.ofEpochMilli(ms), EventKind.SHUTDOWN);
    }

    private NodeMetrics stamp(NodeMetrics.Builder b, Instant eventTime, EventKind kind) {
        seq++;
        return b.setCluster(identity.cluster()).setNode(identity.node()).setRunId(identity.runId().toString())
                .setSeq(seq).setEventTime(eventTime).setIntervalMs(intervalMs)
                .setAgentVersion(identity.agentVersion()).setKind(kind).build();
    }

    /** The last sequence number handed out; 0 before the first event. */
    public synchronized long lastSeq() {
        return seq;
    }
}
