package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricField;
import java.util.ArrayList;
import java.util.List;

/**
 * The statement that recomputes one node's rollup rows of one family, resolution and bucket from the raw
 * table, with the processor contract's semantics, and upserts them (ON CONFLICT DO UPDATE). It is built from
 * {@link FamilyTable#rollupColumns()}, the description the tables themselves come from:
 * <ul>
 *   <li>samples = rows (events carrying the family/device), last_event_time = greatest time;</li>
 *   <li>gauges and rates: min, max, sum and count over non-null values (count NULL when there are none, as a
 *       field absent from Streams' stats), last = value of the latest non-null sample;</li>
 *   <li>counters: first and last non-null value by time;</li>
 *   <li>attributes: last non-null value as text (booleans 'true'/'false').</li>
 * </ul>
 * Numbers are taken as {@code MetricField.number} takes them: booleans 0/1, timestamps epoch milliseconds.
 * Parameters: bucket start (epoch ms), cluster, node, bucket start again (epoch ms), bucket end (epoch ms).
 */
public final class RepairSql {
    private RepairSql() {
    }

    /**
     * @param timescaleSchema schema of the timescaledb extension, for first() and last()
     */
    public static String upsert(FamilyTable t, Resolution r, String timescaleSchema) {
        String ts = timescaleSchema == null || timescaleSchema.isEmpty() ? "" : timescaleSchema + ".";
        List<String> cols = new ArrayList<>();
        List<String> exprs = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        for (Column c : t.rollupColumns()) {
            cols.add(c.name());
            exprs.add(aggregate(c, ts));
            if (c.role() != Column.Role.CLUSTER && c.role() != Column.Role.NODE && c.role() != Column.Role.DEVICE
                    && c.role() != Column.Role.BUCKET) {
                updates.add(c.name() + " = EXCLUDED." + c.name());
            }
        }
        List<String> keys = new ArrayList<>(t.keyColumns());
        String ms = "timestamptz 'epoch' + ?::bigint * interval '1 millisecond'";
        return "INSERT INTO " + Tables.data(t.rollupTable(r)) + " AS r (" + String.join(", ", cols) + ")\n"
                + "SELECT " + String.join(",\n       ", exprs).replace("?bucket", ms) + "\n"
                + "  FROM " + Tables.data(t.table()) + "\n"
                + " WHERE cluster = ? AND node = ? AND time >= " + ms + " AND time < " + ms + "\n"
                + " GROUP BY " + String.join(", ", keys) + "\n"
                + "ON CONFLICT (" + String.join(", ", keys) + ", bucket) DO UPDATE SET "
                + String.join(", ", updates);
    }

    private static String aggregate(Column c, String ts) {
        MetricField f = c.field();
        return switch (c.role()) {
            case CLUSTER, NODE, DEVICE -> c.name();
            case BUCKET -> "?bucket";
            case SAMPLES -> "count(*)::int";
            case LAST_EVENT_TIME -> "max(time)";
            case MIN -> "min(" + FamilyTable.numberExpression(f) + ")";
            case MAX -> "max(" + FamilyTable.numberExpression(f) + ")";
            case SUM -> "sum(" + FamilyTable.numberExpression(f) + ")";
            case COUNT -> "NULLIF(count(" + f.column() + "), 0)";
            case FIRST -> ts + "first(" + FamilyTable.numberExpression(f) + ", time) FILTER (WHERE " + f.column()
                    + " IS NOT NULL)";
            case LAST -> ts + "last(" + FamilyTable.numberExpression(f) + ", time) FILTER (WHERE " + f.column()
                    + " IS NOT NULL)";
            case ATTRIBUTE -> ts + "last((" + f.column() + ")::text, time) FILTER (WHERE " + f.column()
                    + " IS NOT NULL)";
            default -> throw new IllegalStateException("no aggregate for " + c);
        };
    }
}
