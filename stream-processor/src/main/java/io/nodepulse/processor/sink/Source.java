package io.nodepulse.processor.sink;

import io.nodepulse.topic.Topics;

/** The topics the sink reads, and how each is written. */
public enum Source {
    /** Validated, deduplicated events: straight COPY into the raw tables. */
    METRICS(false),
    /** Late events, possibly repeated: staged, then INSERT … ON CONFLICT DO NOTHING, and rollup repairs queued. */
    LATE(true),
    /** Streams' 1-minute rollups: straight COPY; a conflict (a repaired row) sends the batch the staged way. */
    ROLLUP_1M(false),
    /** Streams' 1-hour rollups, as ROLLUP_1M. */
    ROLLUP_1H(false),
    /** Liveness changes: staged (a re-emitted change must not fail the batch), plus the inventory upsert. */
    STATUS(true),
    /** Alert transitions: staged, like STATUS. */
    ALERTS(true);

    private final boolean staged;

    Source(boolean staged) {
        this.staged = staged;
    }

    /** True when rows always go through a staging table and ON CONFLICT DO NOTHING. */
    public boolean staged() {
        return staged;
    }

    public String topic(Topics topics) {
        return switch (this) {
            case METRICS -> topics.metricsValid().name();
            case LATE -> topics.late().name();
            case ROLLUP_1M -> topics.rollup1m().name();
            case ROLLUP_1H -> topics.rollup1h().name();
            case STATUS -> topics.nodeStatus().name();
            case ALERTS -> topics.alerts().name();
        };
    }
}
