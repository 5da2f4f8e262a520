package io.nodepulse.processor;

import io.nodepulse.ops.MetricRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/** Publishes the Kafka Streams clients' states and input lag on /metrics and decides their part of /readyz. */
final class StreamsStatus {
    private final Map<String, KafkaStreams> clients;
    private final Set<String> everRunning = java.util.concurrent.ConcurrentHashMap.newKeySet();

    StreamsStatus(Map<String, KafkaStreams> clients, MetricRegistry registry) {
        this.clients = clients;
        registry.gaugeFamily("nodepulse_processor_streams_state",
                "1 for each Kafka Streams application's current state, 0 for the others.", this::states,
                "application", "state");
        registry.gaugeFamily("nodepulse_processor_consumer_lag",
                "Records behind the end of each input partition, as the Streams main consumer last saw it.",
                () -> lag("records-lag"), "topic", "partition");
        registry.gauge("nodepulse_processor_rocksdb_cache_bytes", "Bytes in use in the shared RocksDB cache "
                + "(block cache and memtables).", () -> BoundedRocksDb.cacheUsage());
        registry.gauge("nodepulse_processor_rocksdb_cache_capacity_bytes", "Capacity of the shared RocksDB cache.",
                () -> BoundedRocksDb.cacheCapacity());
    }

    void onChange(String client, KafkaStreams.State now) {
        if (now == KafkaStreams.State.RUNNING) {
            everRunning.add(client);
        }
    }

    private Map<List<String>, Double> states() {
        Map<List<String>, Double> out = new HashMap<>();
        clients.forEach((name, client) -> {
            KafkaStreams.State current = client.state();
            for (KafkaStreams.State s : KafkaStreams.State.values()) {
                out.put(List.of(name, s.name()), s == current ? 1.0 : 0.0);
            }
        });
        return out;
    }

    private Map<List<String>, Double> lag(String name) {
        Map<List<String>, Double> out = new HashMap<>();
        clients.values().forEach(c -> out.putAll(lag(c, name)));
        return out;
    }

    private static Map<List<String>, Double> lag(KafkaStreams streams, String name) {
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
        // the consumer reports a dotted topic twice, once with every '.' replaced by '_': drop that copy (the
        // real name may have '_' of its own, so match from the dotted name)
        Set<List<String>> copies = new HashSet<>();
        for (List<String> k : out.keySet()) {
            if (k.get(0).indexOf('.') >= 0) {
                copies.add(List.of(k.get(0).replace('.', '_'), k.get(1)));
            }
        }
        out.keySet().removeAll(copies);
        return out;
    }

    /** Alive unless a client failed or stopped. */
    boolean live() {
        return clients.values().stream().map(KafkaStreams::state).allMatch(s -> s != KafkaStreams.State.ERROR
                && s != KafkaStreams.State.PENDING_ERROR && s != KafkaStreams.State.NOT_RUNNING);
    }

    /** Ready while every client runs, and during rebalances once it has run. */
    void readiness(List<String> detail, boolean[] ready) {
        clients.forEach((name, client) -> {
            KafkaStreams.State s = client.state();
            boolean ok = s == KafkaStreams.State.RUNNING
                    || (everRunning.contains(name) && s == KafkaStreams.State.REBALANCING);
            double lag = lag(client, "records-lag").values().stream().mapToDouble(Double::doubleValue).sum();
            detail.add("streams " + name + ": " + s + (ok ? ", input lag " + (long) lag : ""));
            ready[0] &= ok;
        });
    }
}
