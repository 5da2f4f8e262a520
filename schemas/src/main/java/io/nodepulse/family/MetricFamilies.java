package io.nodepulse.family;

import io.nodepulse.schema.NodeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * The metric families of NodeMetrics, derived from the schema itself: each field's kind and unit come from its
 * {@code "metric"} and {@code "unit"} properties. Rollups (in Streams) and raw tables (in the sink) both read
 * events through this one description, so they cannot disagree about what a field is.
 */
public final class MetricFamilies {
    /** Per-device arrays: NodeMetrics field, family name and the field naming the device. */
    private static final List<String[]> ARRAYS = List.of(
            new String[] {"disks", "disk", "device"},
            new String[] {"filesystems", "filesystem", "mountPoint"},
            new String[] {"interfaces", "interface", "name"},
            new String[] {"thermalZones", "thermal", "zone"},
            new String[] {"pods", "pod", "uid"});
    /** Node-level records. */
    private static final List<String> RECORDS = List.of("cpu", "memory", "load", "processes", "fileDescriptors",
            "clock");
    /** Records nested in the pressure record. */
    private static final List<String> PRESSURE = List.of("cpuPressure", "memoryPressure", "ioPressure");

    private static final List<MetricFamily> ALL = build(NodeMetrics.getClassSchema());
    /** Where each family of {@link #ALL} sits in a NodeMetrics record, by position: no name lookup per event. */
    private static final Access[] ACCESS = access(NodeMetrics.getClassSchema());
    private static final Map<String, MetricFamily> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(MetricFamily::name, Function.identity()));

    private MetricFamilies() {
    }

    /** Every family, node-level ones first. */
    public static List<MetricFamily> all() {
        return ALL;
    }

    public static MetricFamily byName(String name) {
        MetricFamily f = BY_NAME.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown metric family " + name + "; known: " + BY_NAME.keySet());
        }
        return f;
    }

    /** Receives one family record of an event. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param device the device key for per-device families, "" for node-level ones
         */
        void visit(MetricFamily family, String device, IndexedRecord record);
    }

    /** Visits every family record present in the event: a null family (failed collector) is skipped. */
    public static void forEach(NodeMetrics event, Visitor visitor) {
        for (int i = 0; i < ACCESS.length; i++) {
            MetricFamily f = ALL.get(i);
            Access a = ACCESS[i];
            Object value = event.get(a.eventPos());
            if (value == null) {
                continue;
            }
            if (a.devicePos() >= 0) {
                for (Object item : (List<?>) value) {
                    IndexedRecord r = (IndexedRecord) item;
                    visitor.visit(f, String.valueOf(r.get(a.devicePos())), r);
                }
            } else {
                IndexedRecord r = (IndexedRecord) (a.nestedPos() >= 0
                        ? ((IndexedRecord) value).get(a.nestedPos()) : value);
                if (r != null) {
                    visitor.visit(f, "", r);
                }
            }
        }
    }

    /**
     * @param eventPos  position of the family's field (or of {@code pressure}) in NodeMetrics
     * @param nestedPos position inside {@code pressure}, or -1
     * @param devicePos position of the device field in a per-device item, or -1
     */
    private record Access(int eventPos, int nestedPos, int devicePos) {
    }

    private static Access[] access(Schema nodeMetrics) {
        Schema pressure = recordOf(nodeMetrics.getField("pressure").schema());
        Access[] out = new Access[ALL.size()];
        for (int i = 0; i < out.length; i++) {
            MetricFamily f = ALL.get(i);
            int device = f.perDevice() ? f.schema().getField(f.deviceField()).pos() : -1;
            out[i] = f.path().startsWith("pressure.")
                    ? new Access(nodeMetrics.getField("pressure").pos(), pressure.getField(f.name()).pos(), -1)
                    : new Access(nodeMetrics.getField(f.path()).pos(), -1, device);
        }
        return out;
    }

    static List<MetricFamily> build(Schema nodeMetrics) {
        List<MetricFamily> list = new ArrayList<>();
        for (String name : RECORDS) {
            list.add(family(name, name, null, recordOf(nodeMetrics.getField(name).schema())));
        }
        Schema pressure = recordOf(nodeMetrics.getField("pressure").schema());
        for (String name : PRESSURE) {
            list.add(family(name, "pressure." + name, null, recordOf(pressure.getField(name).schema())));
        }
        for (String[] a : ARRAYS) {
            Schema items = recordOf(nodeMetrics.getField(a[0]).schema()).getElementType();
            list.add(family(a[1], a[0], a[2], items));
        }
        return List.copyOf(list);
    }

    private static MetricFamily family(String name, String path, String deviceField, Schema record) {
        List<MetricField> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            if (f.name().equals(deviceField)) {
                continue;
            }
            Schema type = unwrapNull(f.schema());
            if (type.getType() == Schema.Type.ARRAY || type.getType() == Schema.Type.RECORD) {
                continue;
            }
            Object metric = f.getObjectProp("metric");
            MetricKind kind = metric == null || (type.getType() == Schema.Type.STRING)
                    ? MetricKind.ATTRIBUTE : MetricKind.valueOf(metric.toString().toUpperCase(java.util.Locale.ROOT));
            Object unit = f.getObjectProp("unit");
            fields.add(new MetricField(f.name(), MetricField.snake(f.name()), kind,
                    unit == null ? null : unit.toString(), type.getType(), f.pos(),
                    type.getLogicalType() != null && "timestamp-millis".equals(type.getLogicalType().getName())));
        }
        return new MetricFamily(name, path, deviceField, List.copyOf(fields), record);
    }

    private static Schema recordOf(Schema s) {
        return unwrapNull(s);
    }

    private static Schema unwrapNull(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            for (Schema branch : s.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return branch;
                }
            }
        }
        return s;
    }
}
