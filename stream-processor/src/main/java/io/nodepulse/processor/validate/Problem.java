package io.nodepulse.processor.validate;

/**
 * Why a record was rejected.
 *
 * @param reason short stable code, the {@code nodepulse.dlq.reason} header
 * @param detail what exactly is wrong, for people, the {@code nodepulse.dlq.detail} header
 */
public record Problem(String reason, String detail) {
    public static final String BAD_MAGIC = "bad-magic";
    public static final String UNKNOWN_FINGERPRINT = "unknown-fingerprint";
    public static final String INCOMPATIBLE_SCHEMA = "incompatible-schema";
    public static final String MALFORMED = "malformed";
    public static final String KEY_MISMATCH = "key-mismatch";
    public static final String BAD_ENVELOPE = "bad-envelope";
    public static final String NOT_FINITE = "not-finite";
    public static final String NEGATIVE = "negative-value";
    public static final String OUT_OF_RANGE = "out-of-range";
    public static final String INCONSISTENT = "inconsistent";
    public static final String FUTURE = "event-time-future";
    public static final String PAST = "event-time-past";
}
