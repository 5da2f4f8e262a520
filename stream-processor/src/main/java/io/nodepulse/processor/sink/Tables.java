package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Names of the database objects. Tables live in {@value #DATA}; the documented views and functions, the stable
 * interface for users, live in {@value #API}.
 */
public final class Tables {
    /** Schema of the tables: an implementation detail that migrations may change. */
    public static final String DATA = "nodepulse_data";
    /** Schema of the documented views and functions: the stable interface. */
    public static final String API = "nodepulse";

    public static final String NODE_EVENTS = DATA + ".node_events";
    public static final String NODE_STATUS = DATA + ".node_status";
    public static final String ALERTS = DATA + ".alerts";
    public static final String NODES = DATA + ".nodes";
    public static final String LATEST = DATA + ".latest";
    public static final String SINK_OFFSETS = DATA + ".sink_offsets";
    public static final String REPAIR_QUEUE = DATA + ".repair_queue";
    public static final String SCHEMA_MIGRATIONS = DATA + ".schema_migrations";

    private static final List<FamilyTable> FAMILIES =
            MetricFamilies.all().stream().map(FamilyTable::new).toList();
    private static final Map<String, FamilyTable> BY_FAMILY = FAMILIES.stream()
            .collect(Collectors.toUnmodifiableMap(t -> t.family().name(), Function.identity()));

    private Tables() {
    }

    /** One per metric family, in MetricFamilies order. */
    public static List<FamilyTable> families() {
        return FAMILIES;
    }

    /** The table of a family name as NodeRollup spells it (cpu, cpuPressure, disk…), or null. */
    public static FamilyTable forFamily(String familyName) {
        return BY_FAMILY.get(familyName);
    }

    public static FamilyTable forFamily(MetricFamily family) {
        return BY_FAMILY.get(family.name());
    }

    /** Qualified name of a table in {@value #DATA}. */
    public static String data(String table) {
        return DATA + "." + table;
    }

    /** Every time-series table (hypertables), qualified, by retention tier. */
    public static Map<Tier, List<String>> hypertables() {
        List<String> raw = new ArrayList<>();
        List<String> minute = new ArrayList<>();
        List<String> hour = new ArrayList<>();
        for (FamilyTable t : FAMILIES) {
            raw.add(data(t.table()));
            minute.add(data(t.rollupTable(Resolution.MINUTE)));
            hour.add(data(t.rollupTable(Resolution.HOUR)));
        }
        raw.add(NODE_EVENTS);
        hour.add(NODE_STATUS);
        hour.add(ALERTS);
        return Map.of(Tier.RAW, List.copyOf(raw), Tier.MINUTE, List.copyOf(minute), Tier.HOUR, List.copyOf(hour));
    }

    /** Retention tiers. Status history and alerts are small and follow the 1-hour tier. */
    public enum Tier {
        RAW, MINUTE, HOUR
    }
}
