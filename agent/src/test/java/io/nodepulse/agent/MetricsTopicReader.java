package io.nodepulse.agent;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.schema.NodeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a metrics topic from the beginning on a thread of its own, keeping every event in partition order. */
final class MetricsTopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventEncoder decoder;
    private final List<NodeMetrics> events = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile RuntimeException failure;

    MetricsTopicReader(String bootstrap, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        decoder = new EventEncoder(topic);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "metrics-topic-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    NodeMetrics e = decoder.decode(r.value());
                    if (!new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).equals(e.getNode())) {
                        throw new AssertionError("record key " + new String(r.key()) + " is not the node " + e.getNode());
                    }
                    synchronized (events) {
                        events.add(e);
                    }
                }
            }
        } catch (RuntimeException | AssertionError e) {
            failure = e instanceof RuntimeException re ? re : new RuntimeException(e);
        }
    }

    /** Every event read so far, in partition order (one partition per node). */
    List<NodeMetrics> events() {
        if (failure != null) {
            throw failure;
        }
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
