package io.nodepulse.processor.validate;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Headers of a dead-letter record. The value and key are the original bytes; the original headers are kept
 * and these are added (all UTF-8 text).
 */
public final class DlqHeaders {
    /** Short stable code, see {@link Problem}. */
    public static final String REASON = "nodepulse.dlq.reason";
    /** What exactly is wrong. */
    public static final String DETAIL = "nodepulse.dlq.detail";
    /** Topic the record was read from. */
    public static final String TOPIC = "nodepulse.dlq.topic";
    /** Partition it was read from. */
    public static final String PARTITION = "nodepulse.dlq.partition";
    /** Its offset there. */
    public static final String OFFSET = "nodepulse.dlq.offset";
    /** The writer schema fingerprint (16 hex digits), when the header could be read. */
    public static final String FINGERPRINT = "nodepulse.dlq.fingerprint";
    /** Application id of the processor that rejected it. */
    public static final String APPLICATION = "nodepulse.dlq.application";

    private DlqHeaders() {
    }

    static Headers build(Headers original, Problem problem, RecordMetadata origin, String fingerprint,
                         String application) {
        RecordHeaders h = new RecordHeaders(original == null ? new org.apache.kafka.common.header.Header[0]
                : original.toArray());
        add(h, REASON, problem.reason());
        add(h, DETAIL, problem.detail().length() > 2000 ? problem.detail().substring(0, 2000) : problem.detail());
        if (origin != null) {
            add(h, TOPIC, origin.topic());
            add(h, PARTITION, Integer.toString(origin.partition()));
            add(h, OFFSET, Long.toString(origin.offset()));
        }
        if (fingerprint != null) {
            add(h, FINGERPRINT, fingerprint);
        }
        add(h, APPLICATION, application);
        return h;
    }

    private static void add(RecordHeaders h, String name, String value) {
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
