package io.nodepulse.processor;

import io.nodepulse.ops.MetricRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/** Publishes the Kafka Streams client's state and input lag on /metrics and decides its part of /readyz. */
final class StreamsStatus {
    private final KafkaStreams streams;
    private volatile boolean everRunning;

    StreamsStatus(KafkaStreams streams, MetricRegistry registry) {
        this.streams = streams;
        registry.gaugeFamily("nodepulse_processor_streams_state",
                "1 for the Kafka Streams client's current state, 0 for the others.", this::states, "state");
        registry.gaugeFamily("nodepulse_processor_consumer_lag",
                "Records behind the end of each input partition, as the Streams main consumer last saw it.",
                () -> lag("records-lag"), "topic", "partition");
        registry.gauge("nodepulse_processor_rocksdb_cache_bytes", "Bytes in use in the shared RocksDB cache "
                + "(block cache and memtables).", () -> BoundedRocksDb.cacheUsage());
        registry.gauge("nodepulse_processor_rocksdb_cache_capacity_bytes", "Capacity of the shared RocksDB cache.",
                () -> BoundedRocksDb.cacheCapacity());
    }

    void onChange(KafkaStreams.State now) {
        if (now == KafkaStreams.State.RUNNING) {
            everRunning = true;
        }
    }

    private Map<List<String>, Double> states() {
        Map<List<String>, Double> out = new HashMap<>();
        KafkaStreams.State current = streams.state();
        for (KafkaStreams.State s : KafkaStreams.State.values()) {
            out.put(List.of(s.name()), s == current ? 1.0 : 0.0);
        }
        return out;
    }

    private Map<List<String>, Double> lag(String name) {
        Map<List<String>, Double> out = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName m = e.getKey();
            String client = m.tags().getOrDefault("client-id", "");
            if (!m.name().equals(name) || !m.group().equals("consumer-fetch-manager-metrics")
                    || !m.tags().containsKey("partition") || client.endsWith("restore-consumer")) {
                continue;
            }
            Object v = e.getValue().metricValue();
            if (v instanceof Double d && !d.isNaN()) {
                out.put(List.of(m.tags().get("topic"), m.tags().get("partition")), d);
            }
        }
        // the consumer reports dotted topic names twice, once with '.' replaced by '_': keep the real name
        out.keySet().removeIf(k -> k.get(0).contains("_")
                && out.containsKey(List.of(k.get(0).replace('_', '.'), k.get(1)))
                && !k.get(0).equals(k.get(0).replace('_', '.')));
        return out;
    }

    /** Alive unless the client failed or stopped. */
    boolean live() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR
                && s != KafkaStreams.State.NOT_RUNNING;
    }

    /** Ready while running, and during rebalances once it has run. */
    void readiness(List<String> detail, boolean[] ready) {
        KafkaStreams.State s = streams.state();
        boolean ok = s == KafkaStreams.State.RUNNING || (everRunning && s == KafkaStreams.State.REBALANCING);
        double lag = lag("records-lag").values().stream().mapToDouble(Double::doubleValue).sum();
        detail.add("streams: " + s + (ok ? ", input lag " + (long) lag : ""));
        ready[0] &= ok;
    }
}
