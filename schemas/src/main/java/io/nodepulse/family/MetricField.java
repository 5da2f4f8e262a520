package io.nodepulse.family;

import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * One field of a metric family.
 *
 * @param name     the Avro field name, also the key in NodeRollup's maps
 * @param column   the SQL column name (snake_case of {@code name})
 * @param kind     gauge, rate, counter or attribute
 * @param unit     unit from the schema, or null for attributes
 * @param type     the Avro type, nulls unwrapped
 * @param position position in the family record
 */
public record MetricField(String name, String column, MetricKind kind, String unit, Schema.Type type,
                          int position, boolean timestamp) {

    /** The field's value as a number: booleans are 0 or 1, timestamps epoch milliseconds; null if absent. */
    public Double number(IndexedRecord record) {
        Object v = record.get(position);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (v instanceof Instant i) {
            return (double) i.toEpochMilli();
        }
        throw new IllegalStateException(name + " is not numeric: " + v.getClass().getSimpleName());
    }

    /** The raw value as the generated record holds it (String, Long, Double, Boolean, Instant or null). */
    public Object value(IndexedRecord record) {
        return record.get(position);
    }

    public boolean numeric() {
        return kind != MetricKind.ATTRIBUTE;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
