package io.nodepulse.processor;

import io.nodepulse.ops.MetricRegistry;

/**
 * The topology's own counters on the shared {@link MetricRegistry}. They count processing: after a crash,
 * exactly-once processing redoes the work of the aborted transaction, and that work is counted again.
 */
public final class PipelineMetrics {
    public final MetricRegistry.Counter events;
    public final MetricRegistry.Counter dlq;
    public final MetricRegistry.Counter late;
    public final MetricRegistry.Counter duplicates;
    public final MetricRegistry.Counter windowsEmitted;
    public final MetricRegistry.Counter rollups;
    public final MetricRegistry.Counter statusChanges;
    public final MetricRegistry.Counter alerts;
    public final MetricRegistry.Counter rollupSkipped;

    public PipelineMetrics(MetricRegistry registry) {
        events = registry.counter("nodepulse_processor_events_total",
                "Input records by outcome: on_time, late, duplicate or rejected.", "outcome");
        dlq = registry.counter("nodepulse_processor_dlq_total",
                "Records sent to the dead-letter topic, by reason.", "reason");
        late = registry.counter("nodepulse_processor_late_total",
                "Late events sent to the late topic, by the resolutions they missed (nodepulse.repair).", "repair");
        duplicates = registry.counter("nodepulse_processor_duplicates_total",
                "Events dropped because their (cluster, node, event time) was already accepted.");
        windowsEmitted = registry.counter("nodepulse_processor_windows_emitted_total",
                "Node windows closed and emitted, by resolution.", "resolution");
        rollups = registry.counter("nodepulse_processor_rollups_total",
                "NodeRollup records produced, by resolution.", "resolution");
        statusChanges = registry.counter("nodepulse_processor_node_status_changes_total",
                "Node liveness changes published to node-status, by new state.", "state");
        alerts = registry.counter("nodepulse_processor_alerts_total",
                "Alert transitions published, by rule and state.", "rule", "state");
        rollupSkipped = registry.counter("nodepulse_processor_rollup_undecodable_total",
                "Records of metrics.valid or late the rollup application could not decode and left out of the "
                        + "rollups (the sink sends them to the dead-letter topic).");
    }
}
