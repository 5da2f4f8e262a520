package io.nodepulse.processor.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records the database refuses to the dead-letter topic: the original key and value bytes, the original
 * headers, and the same {@code nodepulse.dlq.*} headers the Streams side uses (reason, detail, origin) plus
 * the SQLState when the database gave one. Sends wait for the broker's acknowledgement, so a record's offset is
 * stored only after it is safely in the DLQ.
 */
final class Dlq implements AutoCloseable {
    static final String REASON = "nodepulse.dlq.reason";
    static final String DETAIL = "nodepulse.dlq.detail";
    static final String TOPIC = "nodepulse.dlq.topic";
    static final String PARTITION = "nodepulse.dlq.partition";
    static final String OFFSET = "nodepulse.dlq.offset";
    static final String APPLICATION = "nodepulse.dlq.application";
    static final String SQLSTATE = "nodepulse.dlq.sqlstate";
    private static final int MAX_DETAIL = 2000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String application;
    private final Duration timeout;

    Dlq(Map<String, Object> kafka, String topic, String application, Duration timeout) {
        Map<String, Object> props = KafkaProps.producer(kafka);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, application + "-dlq");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) (timeout.toMillis() / 2));
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.application = application;
        this.timeout = timeout;
    }

    /**
     * Sends and waits for the acknowledgement.
     *
     * @throws DlqException when the broker does not take it in time
     */
    void send(SinkRecord r, String reason, String detail, String sqlState) throws DlqException {
        RecordHeaders h = new RecordHeaders(r.raw().headers().toArray());
        add(h, REASON, reason);
        add(h, DETAIL, detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail);
        add(h, TOPIC, r.raw().topic());
        add(h, PARTITION, Integer.toString(r.raw().partition()));
        add(h, OFFSET, Long.toString(r.raw().offset()));
        add(h, APPLICATION, application);
        if (sqlState != null) {
            add(h, SQLSTATE, sqlState);
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, null, r.raw().key(), r.raw().value(), h))
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw new DlqException("cannot send " + r + " to " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlqException("interrupted while sending " + r + " to " + topic, e);
        }
    }

    private static void add(RecordHeaders h, String name, String value) {
        h.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** The DLQ is unreachable; the batch waits and is retried. */
    static final class DlqException extends Exception {
        private static final long serialVersionUID = 1L;

        DlqException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
