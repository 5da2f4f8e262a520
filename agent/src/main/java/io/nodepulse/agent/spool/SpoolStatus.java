package io.nodepulse.agent.spool;

/**
 * A snapshot of the spool for /readyz and /metrics.
 *
 * @param bytes            bytes of all segment files
 * @param maxBytes         the byte budget
 * @param segments         number of segment files
 * @param pending          events not yet acknowledged by Kafka (on disk and held in memory; an upper bound
 *                         when corrupt records were skipped)
 * @param heldEvents       events kept in memory because the disk refused writes
 * @param writeFailure     why the last write failed, while writes fail; null when writes work
 * @param lastBudgetDropMillis wall-clock time of the last budget drop, 0 if none
 */
public record SpoolStatus(long bytes, long maxBytes, int segments, long pending, int heldEvents,
                          String writeFailure, long lastBudgetDropMillis) {
}
