package io.nodepulse.processor.sink;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One consumed record with its decoded value (NodeMetrics, NodeRollup, NodeStatus or Alert), or why it cannot
 * be stored.
 *
 * @param source  which input it came from
 * @param raw     the record as consumed (original bytes and headers, for the DLQ)
 * @param value   the decoded value; null for a tombstone or a refused record
 * @param refusal why the record goes to the DLQ instead, or null
 */
public record SinkRecord(Source source, ConsumerRecord<byte[], byte[]> raw, Object value, Refusal refusal) {

    /**
     * @param reason   short stable code for the {@code nodepulse.dlq.reason} header
     * @param detail   what exactly is wrong
     * @param sqlState the database's SQLState, when it refused the record
     */
    public record Refusal(String reason, String detail, String sqlState) {
    }

    public TopicPartition partition() {
        return new TopicPartition(raw.topic(), raw.partition());
    }

    public long offset() {
        return raw.offset();
    }

    /** The same record, refused. */
    public SinkRecord refused(String reason, String detail, String sqlState) {
        return new SinkRecord(source, raw, null, new Refusal(reason, detail, sqlState));
    }

    @Override
    public String toString() {
        return raw.topic() + "-" + raw.partition() + "@" + raw.offset();
    }
}
