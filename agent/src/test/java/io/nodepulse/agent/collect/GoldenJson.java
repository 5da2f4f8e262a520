package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Renders Avro records and plain values as stable, indented JSON for golden files, and compares against the
 * committed golden under {@code src/test/resources/fixtures/golden}. Doubles are rounded to 12 significant
 * digits so that the text does not depend on the JDK's double formatting. Run with
 * {@code -Dnodepulse.golden.update=true} to rewrite the goldens.
 */
final class GoldenJson {
    static final Path GOLDEN_DIR = Path.of("src/test/resources/fixtures/golden");
    /** Fields that vary from run to run and are left out. */
    private static final Set<String> VOLATILE = Set.of("durationMicros");

    private GoldenJson() {
    }

    static String render(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    static void assertGolden(String name, String actual) {
        Path file = GOLDEN_DIR.resolve(name);
        try {
            if (Boolean.getBoolean("nodepulse.golden.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            }
            assertThat(file).as("golden file %s (run with -Dnodepulse.golden.update=true to create it)", file)
                    .exists();
            assertThat(actual).as("output differs from golden %s; review, then rewrite with "
                    + "-Dnodepulse.golden.update=true", file).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof GenericRecord r) {
            List<Schema.Field> fields = r.getSchema().getFields();
            sb.append("{\n");
            boolean first = true;
            for (Schema.Field f : fields) {
                if (VOLATILE.contains(f.name())) {
                    continue;
                }
                if (!first) {
                    sb.append(",\n");
                }
                first = false;
                pad(sb, indent + 1).append('"').append(f.name()).append("\": ");
                write(sb, r.get(f.pos()), indent + 1);
            }
            sb.append('\n');
            pad(sb, indent).append('}');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(",\n");
                }
                first = false;
                pad(sb, indent + 1).append(quote(String.valueOf(e.getKey()))).append(": ");
                write(sb, e.getValue(), indent + 1);
            }
            sb.append('\n');
            pad(sb, indent).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                pad(sb, indent + 1);
                write(sb, l.get(i), indent + 1);
                sb.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            pad(sb, indent).append(']');
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(new BigDecimal(d).round(new MathContext(12)).stripTrailingZeros().toPlainString());
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Instant i) {
            sb.append(quote(i.toString()));
        } else {
            sb.append(quote(v.toString()));
        }
    }

    private static StringBuilder pad(StringBuilder sb, int indent) {
        return sb.append("  ".repeat(indent));
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
