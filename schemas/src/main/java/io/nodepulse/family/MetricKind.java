package io.nodepulse.family;

/** How a NodeMetrics field behaves over time, from its {@code "metric"} schema property. */
public enum MetricKind {
    /** A value at the tick (bytes in use, load). Rollups keep min, max, sum, count and last. */
    GAUGE,
    /** A per-second rate or share over the interval, null when unknown. Aggregated like a gauge. */
    RATE,
    /** A raw monotonic counter. Rollups keep its first and last value. */
    COUNTER,
    /** A descriptive string or flag (fsType, qosClass, readOnly). Rollups keep the last value. */
    ATTRIBUTE
}
