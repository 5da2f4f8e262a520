package io.nodepulse.agent.spool;

import io.nodepulse.ops.MetricRegistry;
import java.util.List;

/** The spool's counters in the agent's registry. */
public final class SpoolMetrics {
    private static final List<String> DROP_REASONS = List.of("budget", "memory", "oversize", "rejected");

    final MetricRegistry.Counter spooled;
    final MetricRegistry.Counter dropped;
    final MetricRegistry.Counter corruptRecords;
    final MetricRegistry.Counter corruptBytes;
    final MetricRegistry.Counter writeErrors;

    public SpoolMetrics(MetricRegistry registry) {
        spooled = registry.counter("nodepulse_agent_events_spooled_total",
                "Events appended to the on-disk spool.");
        dropped = registry.counter("nodepulse_agent_events_dropped_total",
                "Events lost before Kafka acknowledged them: budget = the spool was over its byte budget and its "
                        + "oldest segment was dropped; memory = the disk refused writes and the in-memory hold "
                        + "was full; oversize = the event alone exceeds the budget; rejected = Kafka refused the "
                        + "record for good (too large, invalid).", "reason");
        corruptRecords = registry.counter("nodepulse_agent_spool_corrupt_records_total",
                "Spool records skipped because they were torn (a crash while writing) or failed their CRC.");
        corruptBytes = registry.counter("nodepulse_agent_spool_corrupt_bytes_total",
                "Bytes of the spool skipped as torn or corrupt.");
        writeErrors = registry.counter("nodepulse_agent_spool_write_errors_total",
                "Failed spool writes, fsyncs and ack-file updates (for example a full disk).");
        for (String reason : DROP_REASONS) {
            dropped.add(0, reason);
        }
    }

    /** Counts events Kafka refused for good; they are released from the spool. */
    public void rejected(long events) {
        dropped.add(events, "rejected");
    }

    public double spooled() {
        return spooled.get();
    }

    public double dropped(String reason) {
        return dropped.get(reason);
    }

    /** Events dropped for any reason. */
    public double droppedTotal() {
        return DROP_REASONS.stream().mapToDouble(dropped::get).sum();
    }

    public double corruptRecords() {
        return corruptRecords.get();
    }

    public double corruptBytes() {
        return corruptBytes.get();
    }

    public double writeErrors() {
        return writeErrors.get();
    }
}
