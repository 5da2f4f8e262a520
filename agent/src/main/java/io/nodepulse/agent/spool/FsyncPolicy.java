package io.nodepulse.agent.spool;

/**
 * When the spool forces appended records to stable storage. A kill -9 of the agent loses nothing under any
 * policy (written records are in the kernel's page cache); a power loss or kernel crash loses what was not yet
 * forced.
 */
public enum FsyncPolicy {
    /** fsync after every append, before the record is handed to the producer: a power loss loses nothing. */
    ALWAYS,
    /** fsync at most once per interval: a power loss loses at most the last interval's records. */
    INTERVAL,
    /** never fsync; the kernel writes back dirty pages (about 30 s on Linux): a power loss loses that much. */
    NEVER
}
