package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricFamily;
import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;

/**
 * The SQL shape of one metric family: a raw table with one column per field, and a rollup table per
 * {@link Resolution}. Derived from {@link MetricFamily} alone, so the tables, the COPY encoder and the repair
 * query all read the same description.
 */
public final class FamilyTable {
    private final MetricFamily family;
    private final String table;
    private final String deviceColumn;
    private final List<Column> rawColumns;
    private final List<Column> rollupColumns;

    FamilyTable(MetricFamily family) {
        this.family = family;
        this.table = snake(family.name());
        this.deviceColumn = family.perDevice() ? snake(family.deviceField()) : null;
        this.rawColumns = List.copyOf(raw());
        this.rollupColumns = List.copyOf(rollup());
    }

    public MetricFamily family() {
        return family;
    }

    /** Raw table name without schema, e.g. {@code cpu_pressure}. */
    public String table() {
        return table;
    }

    /** Rollup table name without schema, e.g. {@code cpu_pressure_1m}. */
    public String rollupTable(Resolution r) {
        return table + "_" + r.suffix();
    }

    /** The column naming the device (disk device, mount point, interface, zone, pod uid), or null. */
    public String deviceColumn() {
        return deviceColumn;
    }

    /** cluster, node and, for per-device families, the device column. */
    public List<String> keyColumns() {
        return deviceColumn == null ? List.of("cluster", "node") : List.of("cluster", "node", deviceColumn);
    }

    /** cluster, node, [device,] time, then one column per field in schema order. */
    public List<Column> rawColumns() {
        return rawColumns;
    }

    /**
     * cluster, node, [device,] bucket, samples, last_event_time, then per field: {@code <col>_min, _max, _sum,
     * _count, _last} (gauges and rates), {@code <col>_first, _last} (counters) or {@code <col>} (attributes).
     */
    public List<Column> rollupColumns() {
        return rollupColumns;
    }

    private List<Column> keys() {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("cluster", SqlType.TEXT, true, Column.Role.CLUSTER, null));
        cols.add(new Column("node", SqlType.TEXT, true, Column.Role.NODE, null));
        if (deviceColumn != null) {
            cols.add(new Column(deviceColumn, SqlType.TEXT, true, Column.Role.DEVICE, null));
        }
        return cols;
    }

    private List<Column> raw() {
        List<Column> cols = keys();
        cols.add(new Column("time", SqlType.TIMESTAMPTZ, true, Column.Role.TIME, null));
        for (MetricField f : family.fields()) {
            boolean nullable = family.schema().getField(f.name()).schema().isNullable();
            cols.add(new Column(f.column(), rawType(f), !nullable, Column.Role.VALUE, f));
        }
        return cols;
    }

    private List<Column> rollup() {
        List<Column> cols = keys();
        cols.add(new Column("bucket", SqlType.TIMESTAMPTZ, true, Column.Role.BUCKET, null));
        cols.add(new Column("samples", SqlType.INT4, true, Column.Role.SAMPLES, null));
        cols.add(new Column("last_event_time", SqlType.TIMESTAMPTZ, true, Column.Role.LAST_EVENT_TIME, null));
        for (MetricField f : family.fields()) {
            String c = f.column();
            switch (f.kind()) {
                case GAUGE, RATE -> {
                    cols.add(new Column(c + "_min", SqlType.FLOAT8, false, Column.Role.MIN, f));
                    cols.add(new Column(c + "_max", SqlType.FLOAT8, false, Column.Role.MAX, f));
                    cols.add(new Column(c + "_sum", SqlType.FLOAT8, false, Column.Role.SUM, f));
                    cols.add(new Column(c + "_count", SqlType.INT8, false, Column.Role.COUNT, f));
                    cols.add(new Column(c + "_last", SqlType.FLOAT8, false, Column.Role.LAST, f));
                }
                case COUNTER -> {
                    cols.add(new Column(c + "_first", SqlType.FLOAT8, false, Column.Role.FIRST, f));
                    cols.add(new Column(c + "_last", SqlType.FLOAT8, false, Column.Role.LAST, f));
                }
                case ATTRIBUTE -> cols.add(new Column(c, SqlType.TEXT, false, Column.Role.ATTRIBUTE, f));
                default -> throw new IllegalStateException("unhandled kind " + f.kind());
            }
        }
        return cols;
    }

    /** The raw column type of a field, from its Avro type. */
    static SqlType rawType(MetricField f) {
        if (f.timestamp()) {
            return SqlType.TIMESTAMPTZ;
        }
        return switch (f.type()) {
            case INT -> SqlType.INT4;
            case LONG -> SqlType.INT8;
            case FLOAT, DOUBLE -> SqlType.FLOAT8;
            case BOOLEAN -> SqlType.BOOL;
            case STRING, ENUM -> SqlType.TEXT;
            default -> throw new IllegalStateException("no SQL type for " + f.name() + " of Avro type " + f.type());
        };
    }

    /**
     * The SQL expression giving a raw column's value as a number, exactly as {@link MetricField#number} does in
     * Java: booleans 0 or 1, timestamps epoch milliseconds.
     */
    static String numberExpression(MetricField f) {
        if (f.kind() == MetricKind.ATTRIBUTE) {
            throw new IllegalArgumentException(f.name() + " is an attribute");
        }
        if (f.timestamp()) {
            return "(extract(epoch FROM " + f.column() + ") * 1000)::float8";
        }
        if (f.type() == Schema.Type.BOOLEAN) {
            return "(" + f.column() + ")::int::float8";
        }
        return "(" + f.column() + ")::float8";
    }

    /** camelCase to snake_case, as {@code MetricField.column()} spells columns. */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return table;
    }
}
