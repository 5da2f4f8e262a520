package io.nodepulse.processor.sink;

import io.nodepulse.topic.Topics;

/** The topics the sink reads, how each is written, and which lane reads it. */
public enum Source {
    /** Validated, deduplicated events: straight COPY into the raw tables. */
    METRICS(false, Lane.RAW),
    /** Late events, possibly repeated: staged, then INSERT … ON CONFLICT DO NOTHING, and rollup repairs queued. */
    LATE(true, Lane.RAW),
    /** Streams' 1-minute rollups: straight COPY; a conflict (a repaired row) sends the batch the staged way. */
    ROLLUP_1M(false, Lane.ROLLUP),
    /** Streams' 1-hour rollups, as ROLLUP_1M. */
    ROLLUP_1H(false, Lane.ROLLUP),
    /** Liveness changes: staged (a re-emitted change must not fail the batch), plus the inventory upsert. */
    STATUS(true, Lane.RAW),
    /** Alert transitions: staged, like STATUS. */
    ALERTS(true, Lane.RAW);

    private final boolean staged;
    private final Lane lane;

    Source(boolean staged, Lane lane) {
        this.staged = staged;
        this.lane = lane;
    }

    /** True when rows always go through a staging table and ON CONFLICT DO NOTHING. */
    public boolean staged() {
        return staged;
    }

    /** The lane whose consumer reads this source. */
    public Lane lane() {
        return lane;
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
