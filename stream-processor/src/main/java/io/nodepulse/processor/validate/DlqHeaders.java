package io.nodepulse.processor.validate;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
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
    /** The SQLState the database refused it with (from the sink, when the database gave one). */
    public static final String SQLSTATE = "nodepulse.dlq.sqlstate";
    private static final int MAX_DETAIL = 2000;

    private DlqHeaders() {
    }

    static Headers build(Headers original, Problem problem, RecordMetadata origin, String fingerprint,
                         String application) {
        RecordHeaders h = withReason(original, problem.reason(), problem.detail());
        if (origin != null) {
            addOrigin(h, origin.topic(), origin.partition(), origin.offset());
        }
        if (fingerprint != null) {
            add(h, FINGERPRINT, fingerprint);
        }
        add(h, APPLICATION, application);
        return h;
    }

    /** The original headers (if any) with the reason and the detail, cut to 2000 characters, added. */
    public static RecordHeaders withReason(Headers original, String reason, String detail) {
        RecordHeaders h = new RecordHeaders(original == null ? new Header[0] : original.toArray());
        add(h, REASON, reason);
        add(h, DETAIL, detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail);
        return h;
    }

    /** Adds where the record was read: topic, partition and offset. */
    public static void addOrigin(RecordHeaders h, String topic, int partition, long offset) {
        add(h, TOPIC, topic);
        add(h, PARTITION, Integer.toString(partition));
        add(h, OFFSET, Long.toString(offset));
    }

    /** Where a record was read, as {@code topic-partition@offset} for log lines, or "unknown". */
    public static String describe(Optional<RecordMetadata> origin) {
        return origin.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown");
    }

    /** Adds one header as UTF-8 text. */
    public static void add(RecordHeaders h, String name, String value) {
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
