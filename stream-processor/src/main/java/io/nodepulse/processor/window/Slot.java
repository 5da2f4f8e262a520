package io.nodepulse.processor.window;

import io.nodepulse.family.MetricField;
import java.time.Instant;
import org.apache.avro.generic.IndexedRecord;

/**
 * The aggregate of one (cluster, family, device) of a node over one window, following the rollup semantics of
 * the processor contract: statistics over non-null values with the last value by event time, counters' first and
 * last value by event time, attributes' last value.
 */
final class Slot {
    static final long ABSENT = Long.MIN_VALUE;

    final FamilyLayout layout;
    final String cluster;
    final String device;
    int samples;
    long lastEventTime = ABSENT;

    final long[] count;
    final double[] min;
    final double[] max;
    final double[] sum;
    final double[] last;
    final long[] lastTime;

    final double[] counterFirst;
    final double[] counterLast;
    final long[] counterFirstTime;
    final long[] counterLastTime;

    final String[] attribute;
    final long[] attributeTime;

    Slot(FamilyLayout layout, String cluster, String device) {
        this.layout = layout;
        this.cluster = cluster;
        this.device = device;
        int s = layout.stats.length;
        count = new long[s];
        min = new double[s];
        max = new double[s];
        sum = new double[s];
        last = new double[s];
        lastTime = new long[s];
        int c = layout.counters.length;
        counterFirst = new double[c];
        counterLast = new double[c];
        counterFirstTime = new long[c];
        counterLastTime = new long[c];
        java.util.Arrays.fill(counterFirstTime, ABSENT);
        java.util.Arrays.fill(counterLastTime, ABSENT);
        int a = layout.attributes.length;
        attribute = new String[a];
        attributeTime = new long[a];
    }

    void add(IndexedRecord record, long t) {
        samples++;
        if (t > lastEventTime) {
            lastEventTime = t;
        }
        MetricField[] stats = layout.stats;
        for (int i = 0; i < stats.length; i++) {
            Object o = record.get(stats[i].position());
            if (o != null) {
                addStat(i, number(o), t);
            }
        }
        MetricField[] counters = layout.counters;
        for (int i = 0; i < counters.length; i++) {
            Object o = record.get(counters[i].position());
            if (o != null) {
                addCounter(i, number(o), t, number(o), t);
            }
        }
        MetricField[] attributes = layout.attributes;
        for (int i = 0; i < attributes.length; i++) {
            Object o = record.get(attributes[i].position());
            if (o != null) {
                addAttribute(i, o.toString(), t);
            }
        }
    }

    private void addStat(int i, double v, long t) {
        if (count[i] == 0) {
            min[i] = v;
            max[i] = v;
            sum[i] = v;
            last[i] = v;
            lastTime[i] = t;
        } else {
            if (v < min[i]) {
                min[i] = v;
            }
            if (v > max[i]) {
                max[i] = v;
            }
            sum[i] += v;
            if (t >= lastTime[i]) {
                last[i] = v;
                lastTime[i] = t;
            }
        }
        count[i]++;
    }

    private void addCounter(int i, double first, long firstTime, double lastValue, long lastT) {
        if (counterFirstTime[i] == ABSENT || firstTime < counterFirstTime[i]) {
            counterFirst[i] = first;
            counterFirstTime[i] = firstTime;
        }
        if (counterLastTime[i] == ABSENT || lastT >= counterLastTime[i]) {
            counterLast[i] = lastValue;
            counterLastTime[i] = lastT;
        }
    }

    private void addAttribute(int i, String v, long t) {
        if (attribute[i] == null || t >= attributeTime[i]) {
            attribute[i] = v;
            attributeTime[i] = t;
        }
    }

    /** Folds another aggregate of the same (cluster, family, device) into this one. */
    void merge(Slot o) {
        samples += o.samples;
        if (o.lastEventTime > lastEventTime) {
            lastEventTime = o.lastEventTime;
        }
        for (int i = 0; i < count.length; i++) {
            if (o.count[i] == 0) {
                continue;
            }
            if (count[i] == 0) {
                min[i] = o.min[i];
                max[i] = o.max[i];
                sum[i] = o.sum[i];
                last[i] = o.last[i];
                lastTime[i] = o.lastTime[i];
            } else {
                min[i] = Math.min(min[i], o.min[i]);
                max[i] = Math.max(max[i], o.max[i]);
                sum[i] += o.sum[i];
                if (o.lastTime[i] >= lastTime[i]) {
                    last[i] = o.last[i];
                    lastTime[i] = o.lastTime[i];
                }
            }
            count[i] += o.count[i];
        }
        for (int i = 0; i < counterFirst.length; i++) {
            if (o.counterFirstTime[i] != ABSENT) {
                addCounter(i, o.counterFirst[i], o.counterFirstTime[i], o.counterLast[i], o.counterLastTime[i]);
            }
        }
        for (int i = 0; i < attribute.length; i++) {
            if (o.attribute[i] != null) {
                addAttribute(i, o.attribute[i], o.attributeTime[i]);
            }
        }
    }

    static double number(Object o) {
        if (o instanceof Double d) {
            return d;
        }
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (o instanceof Instant i) {
            return i.toEpochMilli();
        }
        throw new IllegalStateException("not numeric: " + o.getClass().getSimpleName());
    }
}
