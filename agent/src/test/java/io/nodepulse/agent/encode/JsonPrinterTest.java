package io.nodepulse.agent.encode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodepulse.schema.Cpu;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class JsonPrinterTest {
    private static final Instant T = Instant.parse("2025-03-01T10:00:10Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static NodeMetrics sample(long seq) {
        return SampleMetrics.event("prod", "worker-7", "boot-1", "7e57a9e1-0000-4000-8000-000000000001", seq, T);
    }

    @Test
    void matchesTheGoldenOutput() throws IOException {
        String printed = JsonPrinter.pretty().print(sample(2));
        String golden;
        try (InputStream in = getClass().getResourceAsStream("sample-event.json")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(printed + "\n").as("golden file src/test/resources/io/nodepulse/agent/encode/sample-event.json; "
                + "after a deliberate schema change, regenerate it from this output").isEqualTo(golden);
    }

    @Test
    void fieldNamesFollowTheSchemaAndUnionsHaveNoWrappers() throws IOException {
        JsonNode root = JSON.readTree(JsonPrinter.compact().print(sample(2)));
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(NodeMetrics.getClassSchema().getFields().stream()
                .map(Schema.Field::name).toList());
        assertThat(root.get("seq").isIntegralNumber()).isTrue();
        assertThat(root.get("seq").asLong()).isEqualTo(2);
        assertThat(root.get("cpu").get("count").asInt()).isEqualTo(4);
        assertThat(root.get("cpu").get("userRatio").isNumber()).as("[null, double] prints the number").isTrue();
        assertThat(root.get("cpu").get("userSecondsTotal").isNumber()).isTrue();
        assertThat(root.get("cpu").get("cores").isNull()).isTrue();
        assertThat(root.get("kind").asText()).isEqualTo("SAMPLE");
        assertThat(root.get("eventTime").asText()).isEqualTo("2025-03-01T10:00:10Z");
        assertThat(root.get("disks").isArray()).isTrue();
        assertThat(root.get("pods").get(1).get("memoryLimitBytes").isNull()).isTrue();
        assertThat(root.get("pods").get(0).get("memoryLimitBytes").asLong()).isEqualTo(512L << 20);
    }

    @Test
    void theFirstSampleHasNullRates() throws IOException {
        JsonNode cpu = JSON.readTree(JsonPrinter.compact().print(sample(1))).get("cpu");
        assertThat(cpu.get("userRatio").isNull()).isTrue();
        assertThat(cpu.get("busyRatio").isNull()).isTrue();
    }

    @Test
    void nanAndInfinityPrintAsNullAndTheJsonStaysValid() throws IOException {
        NodeMetrics e = sample(2);
        Cpu cpu = Cpu.newBuilder(e.getCpu()).setUserRatio(Double.NaN).setSystemSecondsTotal(Double.POSITIVE_INFINITY)
                .build();
        e.setCpu(cpu);
        JsonNode root = JSON.readTree(JsonPrinter.pretty().print(e));
        assertThat(root.get("cpu").get("userRatio").isNull()).isTrue();
        assertThat(root.get("cpu").get("systemSecondsTotal").isNull()).isTrue();
    }

    @Test
    void stringsAreEscaped() throws IOException {
        NodeMetrics e = sample(2);
        e.getCollectors().get(0).setError("bad \"quote\" \\ tab\t newline\n bell\u0007 é");
        e.getCollectors().get(0).setOk(false);
        JsonNode root = JSON.readTree(JsonPrinter.compact().print(e));
        assertThat(root.get("collectors").get(0).get("error").asText())
                .isEqualTo("bad \"quote\" \\ tab\t newline\n bell\u0007 é");
        assertThat(root.get("collectors").get(0).get("ok").asBoolean()).isFalse();
    }

    @Test
    void compactOutputIsOneLine() {
        String s = JsonPrinter.compact().print(sample(2));
        assertThat(s).doesNotContain("\n").startsWith("{\"cluster\":\"prod\",\"node\":\"worker-7\",");
    }
}
