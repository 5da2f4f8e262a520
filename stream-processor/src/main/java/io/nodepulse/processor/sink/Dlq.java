package io.nodepulse.processor.sink;

import io.nodepulse.processor.validate.DlqHeaders;
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
 * headers, and the same {@link DlqHeaders} the Streams side uses (reason, detail, origin, application) plus
 * the SQLState when the database gave one. Sends wait for the broker's acknowledgement, so a record's offset is
 * stored only after it is safely in the DLQ.
 */
final class Dlq implements AutoCloseable {
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
        RecordHeaders h = DlqHeaders.withReason(r.raw().headers(), reason, detail);
        DlqHeaders.addOrigin(h, r.raw().topic(), r.raw().partition(), r.raw().offset());
        DlqHeaders.add(h, DlqHeaders.APPLICATION, application);
        if (sqlState != null) {
            DlqHeaders.add(h, DlqHeaders.SQLSTATE, sqlState);
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
