package io.nodepulse.wire;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/** CRC-64-AVRO fingerprints, as single-object encoding carries them, and their key form in the schemas topic. */
public final class Fingerprints {
    private Fingerprints() {
    }

    public static long of(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** The schemas topic key: 16 lower-case hex digits. */
    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    public static long parseHex(String hex) {
        if (hex == null || hex.length() != 16) {
            throw new IllegalArgumentException("fingerprint must be 16 hex digits: " + hex);
        }
        return Long.parseUnsignedLong(hex, 16);
    }
}
