package io.nodepulse.processor.window;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricFamily;
import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A family's fields sorted by how rollups treat them: statistics (gauges and rates), counters (first and last)
 * and attributes (last value as text). Derived from {@link MetricFamilies}, so the rollups follow the schema.
 */
final class FamilyLayout {
    private static final List<FamilyLayout> ALL;
    private static final Map<String, FamilyLayout> BY_NAME = new HashMap<>();

    static {
        List<FamilyLayout> all = new ArrayList<>();
        List<MetricFamily> families = MetricFamilies.all();
        for (int i = 0; i < families.size(); i++) {
            FamilyLayout l = new FamilyLayout(i, families.get(i));
            all.add(l);
            BY_NAME.put(l.family.name(), l);
        }
        ALL = List.copyOf(all);
    }

    final int index;
    final MetricFamily family;
    final MetricField[] stats;
    final MetricField[] counters;
    final MetricField[] attributes;

    private FamilyLayout(int index, MetricFamily family) {
        this.index = index;
        this.family = family;
        List<MetricField> s = new ArrayList<>();
        List<MetricField> c = new ArrayList<>();
        List<MetricField> a = new ArrayList<>();
        for (MetricField f : family.fields()) {
            switch (f.kind()) {
                case GAUGE, RATE -> s.add(f);
                case COUNTER -> c.add(f);
                case ATTRIBUTE -> a.add(f);
                default -> throw new IllegalStateException("unhandled kind " + f.kind());
            }
        }
        this.stats = s.toArray(MetricField[]::new);
        this.counters = c.toArray(MetricField[]::new);
        this.attributes = a.toArray(MetricField[]::new);
    }

    static FamilyLayout of(int index) {
        if (index < 0 || index >= ALL.size()) {
            throw new IllegalArgumentException("no metric family #" + index);
        }
        return ALL.get(index);
    }

    static FamilyLayout of(MetricFamily family) {
        return BY_NAME.get(family.name());
    }

    int statIndex(String field) {
        for (int i = 0; i < stats.length; i++) {
            if (stats[i].name().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    static boolean isStat(MetricKind kind) {
        return kind == MetricKind.GAUGE || kind == MetricKind.RATE;
    }
}
