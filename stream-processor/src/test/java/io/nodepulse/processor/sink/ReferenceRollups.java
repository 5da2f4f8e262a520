package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricField;
import io.nodepulse.schema.CounterSpan;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.Stat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.IndexedRecord;

/**
 * Rollups computed directly from events in Java, following the processor contract word by word: the reference
 * the sink's SQL repairs are compared with, and what the tests publish in Streams' place.
 */
final class ReferenceRollups {
    private ReferenceRollups() {
    }

    record Key(String cluster, String node, String family, String device, long windowStart) {
    }

    /** Every rollup of the events at the resolution, keyed by cluster, node, family, device and window. */
    static Map<Key, NodeRollup> compute(List<NodeMetrics> events, Resolution r) {
        Map<Key, List<Object[]>> groups = new LinkedHashMap<>();
        List<NodeMetrics> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(NodeMetrics::getEventTime));
        for (NodeMetrics e : sorted) {
            long start = r.windowStart(e.getEventTime().toEpochMilli());
            MetricFamilies.forEach(e, (family, device, record) -> groups.computeIfAbsent(
                    new Key(e.getCluster(), e.getNode(), family.name(), device, start), k -> new ArrayList<>())
                    .add(new Object[] {e.getEventTime(), record}));
        }
        Map<Key, NodeRollup> out = new LinkedHashMap<>();
        groups.forEach((k, samples) -> out.put(k, rollup(k, samples, r)));
        return out;
    }

    private static NodeRollup rollup(Key k, List<Object[]> samples, Resolution r) {
        Map<String, Stat> stats = new LinkedHashMap<>();
        Map<String, CounterSpan> counters = new LinkedHashMap<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (MetricField f : MetricFamilies.byName(k.family()).fields()) {
            List<Double> values = new ArrayList<>();
            String lastAttr = null;
            for (Object[] s : samples) {
                IndexedRecord rec = (IndexedRecord) s[1];
                switch (f.kind()) {
                    case ATTRIBUTE -> {
                        Object v = f.value(rec);
                        if (v != null) {
                            lastAttr = v.toString();
                        }
                    }
                    default -> {
                        Double v = f.number(rec);
                        if (v != null) {
                            values.add(v);
                        }
                    }
                }
            }
            switch (f.kind()) {
                case GAUGE, RATE -> {
                    if (!values.isEmpty()) {
                        double sum = 0;
                        for (double v : values) {
                            sum += v;
                        }
                        stats.put(f.name(), new Stat(values.stream().min(Double::compare).get(),
                                values.stream().max(Double::compare).get(), sum, (long) values.size(),
                                values.get(values.size() - 1)));
                    }
                }
                case COUNTER -> {
                    if (!values.isEmpty()) {
                        counters.put(f.name(), new CounterSpan(values.get(0), values.get(values.size() - 1)));
                    }
                }
                case ATTRIBUTE -> {
                    if (lastAttr != null) {
                        attributes.put(f.name(), lastAttr);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        Instant last = (Instant) samples.get(samples.size() - 1)[0];
        return NodeRollup.newBuilder().setCluster(k.cluster()).setNode(k.node()).setResolutionSeconds(r.seconds())
                .setWindowStart(Instant.ofEpochMilli(k.windowStart()))
                .setWindowEnd(Instant.ofEpochMilli(k.windowStart() + r.seconds() * 1000L)).setFamily(k.family())
                .setDevice(k.device()).setSamples(samples.size()).setLastEventTime(last).setStats(stats)
                .setCounters(counters).setAttributes(attributes).build();
    }
}
