package io.nodepulse.processor.window;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricFamily;
import io.nodepulse.schema.CounterSpan;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.Stat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one node reported in one window: one {@link Slot} per (cluster, family, device). One accumulator
 * per node and window keeps the window store at one read and one write per event, whatever the number of
 * devices. Mergeable, so the 1-hour windows are fed from closed 1-minute windows.
 */
public final class RollupAccumulator {
    private final Map<Key, Slot> slots = new LinkedHashMap<>();

    record Key(String cluster, int family, String device) {
    }

    /** Stands for a stream-time tick on the way into the 1-minute windows; adds nothing. */
    public static final NodeMetrics TICK = new NodeMetrics();

    public RollupAccumulator() {
    }

    /** An accumulator holding one event. */
    public static RollupAccumulator of(NodeMetrics event) {
        return new RollupAccumulator().add(event);
    }

    public RollupAccumulator add(NodeMetrics event) {
        if (event == TICK) {
            return this;
        }
        String cluster = event.getCluster();
        long t = event.getEventTime().toEpochMilli();
        MetricFamilies.forEach(event, (family, device, record) ->
                slot(cluster, FamilyLayout.of(family), device).add(record, t));
        return this;
    }

    public RollupAccumulator merge(RollupAccumulator other) {
        for (Slot o : other.slots.values()) {
            slot(o.cluster, o.layout, o.device).merge(o);
        }
        return this;
    }

    Slot slot(String cluster, FamilyLayout layout, String device) {
        return slots.computeIfAbsent(new Key(cluster, layout.index, device), k -> new Slot(layout, cluster, device));
    }

    void put(Slot s) {
        slots.put(new Key(s.cluster, s.layout.index, s.device), s);
    }

    Collection<Slot> slots() {
        return slots.values();
    }

    public boolean isEmpty() {
        return slots.isEmpty();
    }

    /** Number of (cluster, family, device) rollups this accumulator yields. */
    public int size() {
        return slots.size();
    }

    /** Greatest event time aggregated, or {@link Long#MIN_VALUE} when empty. */
    public long lastEventTime() {
        long t = Long.MIN_VALUE;
        for (Slot s : slots.values()) {
            t = Math.max(t, s.lastEventTime);
        }
        return t;
    }

    /** The NodeRollup records of this window, one per (cluster, family, device). */
    public List<NodeRollup> toRollups(String node, int resolutionSeconds, long windowStart, long windowEnd) {
        List<NodeRollup> out = new ArrayList<>(slots.size());
        for (Slot s : slots.values()) {
            FamilyLayout l = s.layout;
            Map<String, Stat> stats = new LinkedHashMap<>();
            for (int i = 0; i < l.stats.length; i++) {
                if (s.count[i] > 0) {
                    stats.put(l.stats[i].name(), new Stat(s.min[i], s.max[i], s.sum[i], s.count[i], s.last[i]));
                }
            }
            Map<String, CounterSpan> counters = new LinkedHashMap<>();
            for (int i = 0; i < l.counters.length; i++) {
                if (s.counterFirstTime[i] != Slot.ABSENT) {
                    counters.put(l.counters[i].name(), new CounterSpan(s.counterFirst[i], s.counterLast[i]));
                }
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < l.attributes.length; i++) {
                if (s.attribute[i] != null) {
                    attributes.put(l.attributes[i].name(), s.attribute[i]);
                }
            }
            out.add(NodeRollup.newBuilder().setCluster(s.cluster).setNode(node)
                    .setResolutionSeconds(resolutionSeconds).setWindowStart(Instant.ofEpochMilli(windowStart))
                    .setWindowEnd(Instant.ofEpochMilli(windowEnd)).setFamily(l.family.name()).setDevice(s.device)
                    .setSamples(s.samples).setLastEventTime(Instant.ofEpochMilli(s.lastEventTime))
                    .setStats(stats).setCounters(counters).setAttributes(attributes).build());
        }
        return out;
    }

    /** Aggregated values of one statistic field, per (cluster, device), for alert rules. */
    public List<StatView> stats(MetricFamily family, String field) {
        FamilyLayout l = FamilyLayout.of(family);
        int i = l.statIndex(field);
        if (i < 0) {
            throw new IllegalArgumentException(family.name() + "." + field + " is not a gauge or rate");
        }
        List<StatView> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.layout == l && s.count[i] > 0) {
                out.add(new StatView(s.cluster, s.device, s.min[i], s.max[i], s.sum[i], s.count[i], s.last[i]));
            }
        }
        return out;
    }

    /** One field's aggregate in one (cluster, device). */
    public record StatView(String cluster, String device, double min, double max, double sum, long count,
                           double last) {
        public double avg() {
            return sum / count;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RollupAccumulator a && Objects.equals(toRollups("", 0, 0, 0), a.toRollups("", 0, 0, 0));
    }

    @Override
    public int hashCode() {
        return slots.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "RollupAccumulator" + slots.keySet();
    }
}
