package io.nodepulse.wire;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes could not be turned into a value. {@link #kind()} says why; the processor puts it in the
 * dead-letter record's headers.
 */
public final class WireFormatException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Kind {
        /** The record does not start with the Avro single-object marker C3 01, or is shorter than its header. */
        BAD_MAGIC,
        /** The writer schema's fingerprint is in neither the schemas topic nor the bundled history. */
        UNKNOWN_FINGERPRINT,
        /** The writer schema is known but cannot be read with this reader's schema. */
        INCOMPATIBLE_SCHEMA,
        /** The header is fine but the body is truncated or is not valid Avro for the writer schema. */
        MALFORMED
    }

    private final Kind kind;
    private final Long fingerprint;

    public WireFormatException(Kind kind, Long fingerprint, String message, Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
        this.fingerprint = fingerprint;
    }

    public Kind kind() {
        return kind;
    }

    /** The writer schema's CRC-64-AVRO fingerprint, when the header was readable. */
    public Long fingerprint() {
        return fingerprint;
    }
}
