package io.nodepulse.processor.validate;

/** What the pipeline does with one input record. */
public enum Verdict {
    /** Valid, new and inside its windows: to metrics.valid and the rollups. */
    ON_TIME,
    /** Valid and new but its 1-minute window has closed: to the late topic (and the 1-hour window if open). */
    LATE,
    /** Same (cluster, node, event time) as an event already accepted: dropped and counted. */
    DUPLICATE,
    /**
     * Not an event: a marker the rollup application's tick step sends into the windows when stream time jumps,
     * one per minute of the jump, so that windows close (and are emitted) before the window store expires their
     * segments.
     */
    TICK,
    /** Undecodable or impossible: to the dead-letter topic with the reason in headers. */
    REJECTED
}
