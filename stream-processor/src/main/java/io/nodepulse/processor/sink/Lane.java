package io.nodepulse.processor.sink;

import java.util.Arrays;
import java.util.List;

/**
 * The sink's independent consumers. Each lane has its own consumer group, connection, writer thread and stored
 * offsets, so a burst on one lane (rollups when windows close) never queues ahead of the other's rows.
 */
public enum Lane {
    /** Raw and late events, liveness and alerts: group {@code NODEPULSE_SINK_GROUP_ID}. */
    RAW("raw", ""),
    /** Streams' rollups: group {@code NODEPULSE_SINK_GROUP_ID-rollup}. */
    ROLLUP("rollup", "-rollup");

    private final String label;
    private final String suffix;

    Lane(String label, String suffix) {
        this.label = label;
        this.suffix = suffix;
    }

    /** The lane's name in thread names, logs, metrics labels and readiness. */
    public String label() {
        return label;
    }

    /** The lane's consumer group, which is also the key of its rows in the offsets table. */
    public String groupId(String sinkGroupId) {
        return sinkGroupId + suffix;
    }

    /** The sources this lane reads. */
    public List<Source> sources() {
        return Arrays.stream(Source.values()).filter(s -> s.lane() == this).toList();
    }
}
