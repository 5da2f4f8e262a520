package io.nodepulse.wire;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted topic that carries writer schemas with the data: key = fingerprint as 16 hex digits,
 * value = the schema's JSON. Producers {@link #register} their schemas before their first record; decoders
 * {@link #refresh} it when they meet a fingerprint they do not know.
 */
public final class SchemaTopic implements SchemaSource {
    private static final Logger log = LoggerFactory.getLogger(SchemaTopic.class);

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final Duration timeout;
    private final Map<Long, Schema> seen = new HashMap<>();
    private KafkaConsumer<String, String> consumer;
    private List<TopicPartition> partitions;

    /**
     * @param clientConfig connection settings shared by all clients (bootstrap servers, security); consumer
     *                     settings are added here
     */
    public SchemaTopic(String topic, Map<String, Object> clientConfig, Duration timeout) {
        this.topic = topic;
        this.clientConfig = Map.copyOf(clientConfig);
        this.timeout = timeout;
    }

    public String topic() {
        return topic;
    }

    /** Publishes the schemas and waits until the broker acknowledged each one. */
    public static void register(Producer<byte[], byte[]> producer, String topic, Collection<Schema> schemas,
                                Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try {
            for (Schema schema : schemas) {
                String key = Fingerprints.hex(Fingerprints.of(schema));
                Future<?> ack = producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                        schema.toString().getBytes(StandardCharsets.UTF_8)));
                long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                ack.get(left, TimeUnit.MILLISECONDS);
                log.info("registered schema {} {} in {}", schema.getFullName(), key, topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while registering schemas in " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("cannot register schemas in topic " + topic + " within " + timeout
                    + ": " + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** Publishes the schemas with a short-lived producer built from this topic's client config. */
    public void register(Collection<Schema> schemas) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int requestTimeout = (int) Math.min(Math.max(timeout.toMillis(), 1_000), 30_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, Math.max(timeout.toMillis(), requestTimeout)));
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            register(producer, topic, schemas, timeout);
        }
    }

    @Override
    public synchronized Map<Long, Schema> refresh() {
        try {
            ensureConsumer();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = Instant.now().plus(timeout);
            while (!caughtUp(end)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new WireFormatException(WireFormatException.Kind.UNKNOWN_FINGERPRINT, null,
                            "schemas topic " + topic + " could not be read to its end within " + timeout, null);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    accept(record);
                }
            }
            return Map.copyOf(seen);
        } catch (KafkaException e) {
            closeConsumer();
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_FINGERPRINT, null,
                    "schemas topic " + topic + " is unreachable: " + e.getMessage(), e);
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, timeout) < end.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }

    private void accept(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return;
        }
        try {
            Schema schema = new Schema.Parser().parse(record.value());
            long fingerprint = Fingerprints.of(schema);
            if (!Fingerprints.hex(fingerprint).equals(record.key())) {
                log.warn("ignoring schemas-topic record at offset {}: key {} does not match the schema's "
                        + "fingerprint {}", record.offset(), record.key(), Fingerprints.hex(fingerprint));
                return;
            }
            seen.put(fingerprint, schema);
        } catch (RuntimeException e) {
            // SchemaParseException, and AvroRuntimeException for a bad default or a duplicate union branch: one
            // bad record must not hide the schemas after it
            log.warn("ignoring schemas-topic record at offset {}: not a usable schema: {}", record.offset(),
                    e.getMessage());
        }
    }

    private void ensureConsumer() {
        if (consumer != null) {
            return;
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            closeConsumer();
            throw new KafkaException("schemas topic " + topic + " does not exist");
        }
        partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private void closeConsumer() {
        if (consumer != null) {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
            } catch (RuntimeException e) {
                log.debug("closing schemas consumer", e);
            }
            consumer = null;
            partitions = null;
        }
    }

    @Override
    public synchronized void close() {
        closeConsumer();
    }
}
