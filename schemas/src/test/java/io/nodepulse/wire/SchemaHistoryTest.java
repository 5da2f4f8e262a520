package io.nodepulse.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.Alert;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SchemaHistoryTest {
    private static final SchemaHistory HISTORY = SchemaHistory.bundled();
    private static final Map<String, Schema> GENERATED = Map.of(
            "NodeMetrics", NodeMetrics.getClassSchema(), "NodeRollup", NodeRollup.getClassSchema(),
            "NodeStatus", NodeStatus.getClassSchema(), "Alert", Alert.getClassSchema());

    static List<String> types() {
        return SchemaHistory.TYPES;
    }

    @ParameterizedTest
    @MethodSource("types")
    void everyReleasedVersionReadsEveryOtherInBothDirections(String type) {
        assertThat(Compatibility.fullTransitive(HISTORY.versions(type))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("types")
    void theBuildWritesTheLatestReleasedVersion(String type) {
        // Changing an .avsc without adding it to the history as a new version fails here.
        assertThat(withoutJavaHints(GENERATED.get(type))).isEqualTo(HISTORY.latest(type));
    }

    @ParameterizedTest
    @MethodSource("types")
    void theNextVersionMustStayCompatibleWithTheWholeHistory(String type) {
        List<Schema> withCurrent = new java.util.ArrayList<>(HISTORY.versions(type));
        withCurrent.add(withoutJavaHints(GENERATED.get(type)));
        assertThat(Compatibility.fullTransitive(withCurrent)).isEmpty();
    }

    @Test
    void aFieldAddedWithADefaultIsFullyCompatible() throws IOException {
        List<Schema> versions = List.of(HISTORY.latest("NodeMetrics"), load("/evolution/NodeMetrics-next.avsc"));
        assertThat(Compatibility.fullTransitive(versions)).isEmpty();
    }

    @Test
    void aFieldAddedWithoutADefaultIsCaught() throws IOException {
        List<Schema> versions =
                List.of(HISTORY.latest("NodeMetrics"), load("/evolution/NodeMetrics-incompatible.avsc"));
        List<String> problems = Compatibility.fullTransitive(versions);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("v2 cannot read data written with v1").contains("rack");
    }

    @Test
    void everyMetricFieldDocumentsItsKindAndUnit() {
        assertThat(undocumented(NodeMetrics.getClassSchema(), "")).isEmpty();
    }

    private static List<String> undocumented(Schema schema, String path) {
        List<String> missing = new java.util.ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (f.doc() == null || f.doc().isBlank()) {
                missing.add(path + f.name() + " has no doc");
            }
            Object kind = f.getObjectProp("metric");
            if (kind != null && f.getObjectProp("unit") == null) {
                missing.add(path + f.name() + " has a kind but no unit");
            }
            if (kind != null && !f.doc().toLowerCase().startsWith(kind.toString().replace("counter", "raw monotonic counter"))) {
                missing.add(path + f.name() + " doc does not start with its kind " + kind);
            }
            Schema inner = f.schema();
            if (inner.getType() == Schema.Type.UNION) {
                inner = inner.getTypes().get(inner.getTypes().size() - 1);
            }
            if (inner.getType() == Schema.Type.ARRAY) {
                inner = inner.getElementType();
            }
            if (inner.getType() == Schema.Type.RECORD) {
                missing.addAll(undocumented(inner, path + f.name() + "."));
            }
        }
        return missing;
    }

    /** The generated classes' schemas carry code-generation hints ("avro.java.string") that are not part of the contract. */
    static Schema withoutJavaHints(Schema generated) {
        return new Schema.Parser().parse(generated.toString().replace(",\"avro.java.string\":\"String\"", ""));
    }

    static Schema load(String resource) throws IOException {
        try (InputStream in = SchemaHistoryTest.class.getResourceAsStream(resource)) {
            return new Schema.Parser().parse(in);
        }
    }
}
