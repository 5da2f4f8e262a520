package io.nodepulse.agent.spool;

import java.nio.file.Path;
import java.time.Duration;

/**
 * @param dir           directory of the segment files, the ack file and the lock file
 * @param maxBytes      byte budget of all segment files; the oldest segments are dropped beyond it
 * @param segmentBytes  a segment is closed and a new one started once it holds this many bytes
 * @param fsync         fsync policy
 * @param fsyncInterval period of {@link FsyncPolicy#INTERVAL}; also how often the ack file is rewritten under
 *                      {@code INTERVAL} and {@code NEVER}
 * @param maxHeldBytes  events kept in memory while the disk refuses writes (full disk); the oldest go beyond it
 * @param lockWait      how long {@link Spool#open} waits for another process to release the directory
 */
public record SpoolSettings(Path dir, long maxBytes, long segmentBytes, FsyncPolicy fsync, Duration fsyncInterval,
                            long maxHeldBytes, Duration lockWait) {
    public static final long MIN_SEGMENT_BYTES = 64 * 1024;
    public static final long MAX_SEGMENT_BYTES = 16L * 1024 * 1024;

    public SpoolSettings {
        if (maxBytes < segmentBytes) {
            throw new IllegalArgumentException("spool budget " + maxBytes + " is smaller than a segment ("
                    + segmentBytes + ")");
        }
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("segment size " + segmentBytes + " is below 1 KiB");
        }
    }

    /** Settings with segments of 1/16 of the budget (64 KiB to 16 MiB) and up to 4 MiB held in memory. */
    public static SpoolSettings of(Path dir, long maxBytes, FsyncPolicy fsync, Duration fsyncInterval) {
        long segment = Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16));
        return new SpoolSettings(dir, maxBytes, Math.min(segment, maxBytes), fsync, fsyncInterval,
                Math.min(4L * 1024 * 1024, maxBytes), Duration.ofSeconds(60));
    }

    public SpoolSettings withSegmentBytes(long bytes) {
        return new SpoolSettings(dir, maxBytes, bytes, fsync, fsyncInterval, maxHeldBytes, lockWait);
    }

    public SpoolSettings withMaxHeldBytes(long bytes) {
        return new SpoolSettings(dir, maxBytes, segmentBytes, fsync, fsyncInterval, bytes, lockWait);
    }

    public SpoolSettings withLockWait(Duration wait) {
        return new SpoolSettings(dir, maxBytes, segmentBytes, fsync, fsyncInterval, maxHeldBytes, wait);
    }
}
