package io.nodepulse.agent.encode;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Prints an Avro record as plain JSON, walking its schema: field names as in the schema, in schema order;
 * numbers as JSON numbers; unions without wrappers (the value or null); enums as their symbol; timestamps
 * ({@code timestamp-millis}) as ISO-8601 UTC strings; bytes and fixed as base64. NaN and infinities, which JSON
 * cannot hold, print as null.
 */
public final class JsonPrinter {
    private final String indentUnit;

    private JsonPrinter(String indentUnit) {
        this.indentUnit = indentUnit;
    }

    /** Indented by two spaces, one field per line. */
    public static JsonPrinter pretty() {
        return new JsonPrinter("  ");
    }

    /** On one line. */
    public static JsonPrinter compact() {
        return new JsonPrinter(null);
    }

    public String print(IndexedRecord record) {
        StringBuilder out = new StringBuilder(8192);
        write(record.getSchema(), record, out, 0);
        return out.toString();
    }

    private void write(Schema schema, Object value, StringBuilder out, int depth) {
        if (value == null) {
            out.append("null");
            return;
        }
        switch (schema.getType()) {
            case UNION -> write(branch(schema, value), value, out, depth);
            case RECORD -> writeRecord(schema, (IndexedRecord) value, out, depth);
            case ARRAY -> writeArray(schema.getElementType(), (Collection<?>) value, out, depth);
            case MAP -> writeMap(schema.getValueType(), (Map<?, ?>) value, out, depth);
            case STRING, ENUM -> string(value.toString(), out);
            case INT, LONG -> {
                if (value instanceof Instant i) {
                    string(i.toString(), out);
                } else {
                    out.append(((Number) value).longValue());
                }
            }
            case FLOAT, DOUBLE -> {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    out.append("null");
                } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    out.append((long) d).append(".0");
                } else {
                    out.append(d);
                }
            }
            case BOOLEAN -> out.append(((Boolean) value).booleanValue());
            case BYTES -> {
                ByteBuffer b = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                string(Base64.getEncoder().encodeToString(bytes), out);
            }
            case FIXED -> string(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()), out);
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("unsupported Avro type " + schema.getType());
        }
    }

    private void writeRecord(Schema schema, IndexedRecord record, StringBuilder out, int depth) {
        out.append('{');
        boolean first = true;
        for (Schema.Field f : schema.getFields()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            newline(out, depth + 1);
            string(f.name(), out);
            out.append(indentUnit == null ? ":" : ": ");
            write(f.schema(), record.get(f.pos()), out, depth + 1);
        }
        if (!first) {
            newline(out, depth);
        }
        out.append('}');
    }

    private void writeArray(Schema items, Collection<?> values, StringBuilder out, int depth) {
        out.append('[');
        boolean first = true;
        for (Object v : values) {
            if (!first) {
                out.append(',');
            }
            first = false;
            newline(out, depth + 1);
            write(items, v, out, depth + 1);
        }
        if (!first) {
            newline(out, depth);
        }
        out.append(']');
    }

    private void writeMap(Schema values, Map<?, ?> map, StringBuilder out, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            newline(out, depth + 1);
            string(String.valueOf(e.getKey()), out);
            out.append(indentUnit == null ? ":" : ": ");
            write(values, e.getValue(), out, depth + 1);
        }
        if (!first) {
            newline(out, depth);
        }
        out.append('}');
    }

    private void newline(StringBuilder out, int depth) {
        if (indentUnit != null) {
            out.append('\n');
            out.append(indentUnit.repeat(depth));
        }
    }

    /** The union branch a non-null value belongs to. */
    private static Schema branch(Schema union, Object value) {
        for (Schema b : union.getTypes()) {
            if (matches(b, value)) {
                return b;
            }
        }
        throw new IllegalArgumentException("value of " + value.getClass().getName() + " fits no branch of " + union);
    }

    private static boolean matches(Schema s, Object v) {
        return switch (s.getType()) {
            case NULL -> false;
            case RECORD -> v instanceof IndexedRecord r && r.getSchema().getFullName().equals(s.getFullName());
            case ENUM -> (v instanceof Enum<?> || v instanceof GenericEnumSymbol<?>);
            case ARRAY -> v instanceof Collection<?>;
            case MAP -> v instanceof Map<?, ?>;
            case STRING -> v instanceof CharSequence;
            case INT -> v instanceof Integer;
            case LONG -> v instanceof Long || v instanceof Instant;
            case FLOAT -> v instanceof Float;
            case DOUBLE -> v instanceof Double;
            case BOOLEAN -> v instanceof Boolean;
            case BYTES -> v instanceof ByteBuffer;
            case FIXED -> v instanceof GenericFixed f && f.getSchema().getFullName().equals(s.getFullName());
            default -> false;
        };
    }

    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
