package io.nodepulse.wire;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Process-wide Avro settings, applied once before any decoding:
 * <ul>
 *   <li>caps on what Avro may allocate, so garbage bytes claiming a huge string or array fail as malformed
 *       instead of exhausting the heap (a value set with -D wins);</li>
 *   <li>the generated wire classes ({@code io.nodepulse.schema}) are the only application classes Avro may
 *       instantiate from a schema name.</li>
 * </ul>
 */
final class AvroRuntime {
    static final String STRING_MAX = "org.apache.avro.limits.string.maxLength";
    static final String BYTES_MAX = "org.apache.avro.limits.bytes.maxLength";
    static final String ITEMS_MAX = "org.apache.avro.limits.collectionItems.maxLength";
    static final String WIRE_PACKAGE = "io.nodepulse.schema";

    private static boolean applied;

    private AvroRuntime() {
    }

    static synchronized void apply() {
        if (applied) {
            return;
        }
        setIfAbsent(STRING_MAX, 1 << 20);
        setIfAbsent(BYTES_MAX, 1 << 20);
        setIfAbsent(ITEMS_MAX, 100_000);
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> WIRE_PACKAGE.equals(type.getPackageName())));
        applied = true;
    }

    private static void setIfAbsent(String key, int value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, Integer.toString(value));
        }
    }
}
