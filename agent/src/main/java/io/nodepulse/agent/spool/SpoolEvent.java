package io.nodepulse.agent.spool;

import java.util.UUID;

/**
 * One event as the spool keeps it: the Kafka key and value, plus the run id and sequence number for logs and
 * inspection (they are inside the value too).
 */
public record SpoolEvent(UUID runId, long seq, byte[] key, byte[] value) {
    /** Approximate heap size, for the in-memory hold. */
    long heapBytes() {
        return 64L + key.length + value.length;
    }
}
