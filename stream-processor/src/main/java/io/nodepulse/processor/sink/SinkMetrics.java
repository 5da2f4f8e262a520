package io.nodepulse.processor.sink;

import io.nodepulse.ops.MetricRegistry;

/** The sink's Prometheus metrics, registered once per sink and shared by its lanes. */
final class SinkMetrics {
    final MetricRegistry.Counter rows;
    final MetricRegistry.Counter records;
    final MetricRegistry.Counter batches;
    final MetricRegistry.Counter fallbacks;
    final MetricRegistry.Counter duplicates;
    final MetricRegistry.Counter retries;
    final MetricRegistry.Counter dlq;
    final MetricRegistry.Counter fenced;
    final MetricRegistry.Counter unknownFields;
    final MetricRegistry.Counter repairsQueued;
    final MetricRegistry.Counter repairs;
    final MetricRegistry.Counter repairedRows;
    final MetricRegistry.Counter repairsRefused;
    final MetricRegistry.Counter repairsTooOld;
    final MetricRegistry.Counter retentionDropped;
    final MetricRegistry.Counter deletedUnstored;
    final MetricRegistry.Gauge lag;
    final MetricRegistry.Gauge lastCommit;
    final MetricRegistry.Gauge buffered;
    final MetricRegistry.Gauge retentionLastRun;

    SinkMetrics(MetricRegistry r) {
        rows = r.counter("nodepulse_sink_rows_total", "Rows written, by table (duplicates skipped not counted).",
                "table");
        records = r.counter("nodepulse_sink_records_total", "Records committed (stored, skipped or DLQ'd), by topic.",
                "topic");
        batches = r.counter("nodepulse_sink_batches_total", "Database transactions committed.");
        fallbacks = r.counter("nodepulse_sink_batch_fallbacks_total",
                "Batches written again through staging tables after an unexpected unique violation.");
        duplicates = r.counter("nodepulse_sink_duplicate_rows_total",
                "Rows skipped by ON CONFLICT DO NOTHING because they were already stored.");
        retries = r.counter("nodepulse_sink_retries_total", "Batch retries, by cause (SQLState or dlq).", "cause");
        dlq = r.counter("nodepulse_sink_dlq_total", "Records sent to the DLQ by the sink, by reason.", "reason");
        fenced = r.counter("nodepulse_sink_fenced_total",
                "Batches abandoned because another consumer moved the stored offsets.");
        unknownFields = r.counter("nodepulse_sink_unknown_rollup_fields_total",
                "Rollup values without a column in this build's schema, by family.field.", "field");
        repairsQueued = r.counter("nodepulse_sink_repairs_queued_total", "Rollup repairs queued by late events.");
        repairs = r.counter("nodepulse_sink_repairs_total", "Rollup repairs run, by resolution.", "resolution");
        repairedRows = r.counter("nodepulse_sink_repaired_rows_total", "Rollup rows recomputed, by resolution.",
                "resolution");
        repairsRefused = r.counter("nodepulse_sink_repairs_refused_total", "Rollup repairs the database refused "
                + "for their data (SQLState class 22); each is tried again an hour later.");
        repairsTooOld = r.counter("nodepulse_sink_repairs_too_old_total", "Rollup repairs not run because their "
                + "bucket is older than the raw retention (its raw rows may be gone).");
        retentionDropped = r.counter("nodepulse_retention_dropped_chunks_total", "Chunks dropped by retention, by tier.",
                "tier");
        deletedUnstored = r.counter("nodepulse_sink_offsets_deleted_unstored_total", "Offsets the topic's retention "
                + "deleted before the sink stored them (records lost to the database), by topic.", "topic");
        lag = r.gauge("nodepulse_sink_consumer_lag", "Records behind the end of each input topic.", "topic");
        lastCommit = r.gauge("nodepulse_sink_last_commit_timestamp_seconds", "When each lane last committed a batch.",
                "lane");
        buffered = r.gauge("nodepulse_sink_buffered_records", "Records consumed and not yet committed, by lane.",
                "lane");
        retentionLastRun = r.gauge("nodepulse_retention_last_run_timestamp_seconds", "When retention last completed.");
    }
}
