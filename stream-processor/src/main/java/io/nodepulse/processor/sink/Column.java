package io.nodepulse.processor.sink;

import io.nodepulse.family.MetricField;

/**
 * One column of a family table.
 *
 * @param name    column name
 * @param type    SQL type
 * @param notNull whether the column is NOT NULL
 * @param role    what the column holds
 * @param field   the metric field it comes from, or null for key and bookkeeping columns
 */
public record Column(String name, SqlType type, boolean notNull, Role role, MetricField field) {

    /** What a column holds. Rollup roles follow the processor contract's column naming. */
    public enum Role {
        CLUSTER, NODE, DEVICE, TIME, BUCKET, SAMPLES, LAST_EVENT_TIME,
        /** A raw value of {@link #field}. */
        VALUE,
        MIN, MAX, SUM, COUNT, LAST, FIRST,
        /** The last non-null value of an attribute field, as text. */
        ATTRIBUTE
    }

    public String ddl() {
        return name + " " + type.ddl() + (notNull ? " NOT NULL" : "");
    }
}
