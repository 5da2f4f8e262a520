package io.nodepulse.processor.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertRulesTest {

    private static AlertRules parse(String yaml) {
        return AlertRules.parse("test.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bundledRulesCoverTheShippedAlerts() {
        AlertRules rules = AlertRules.bundled();
        assertThat(rules.all()).extracting(AlertRule::name).contains("cpu-busy", "memory-available-low",
                "filesystem-almost-full", "node-down", "cpu-pressure", "memory-pressure", "io-pressure");
        assertThat(rules.nodeDown().severity()).isEqualTo("critical");
        AlertRule fs = rules.all().stream().filter(r -> r.name().equals("filesystem-almost-full")).findFirst()
                .orElseThrow();
        assertThat(fs.family().perDevice()).isTrue();
        assertThat(fs.forDuration()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void placeholdersInNamesArePrintedAsTheyAre() {
        AlertRule fs = AlertRules.bundled().all().stream().filter(r -> r.name().equals("filesystem-almost-full"))
                .findFirst().orElseThrow();
        String summary = fs.render("node-{threshold}", "/mnt/{value}", 0.95);
        assertThat(summary).contains("node-{threshold}").contains("/mnt/{value}").contains("0.9500");
    }

    @Test
    void jsonIsAcceptedToo() {
        AlertRules rules = parse("{\"rules\": [{\"name\": \"load-high\", \"metric\": \"load.load5\", \"stat\": \"max\","
                + " \"comparator\": \">=\", \"threshold\": 8, \"severity\": \"info\"}]}");
        assertThat(rules.metricRules()).singleElement().satisfies(r -> {
            assertThat(r.comparator()).isEqualTo(AlertRule.Comparator.GE);
            assertThat(r.forDuration()).isZero();
        });
        assertThat(rules.nodeDown()).isNull();
    }

    @Test
    void everyProblemIsReportedWithRuleAndField() {
        String yaml = """
                rules:
                  - name: cpu-busy
                    metric: cpu.busyRatoi
                    stat: mean
                    comparator: ">"
                    threshold: high
                    severity: warning
                  - name: fs
                    metric: filesystem.fsType
                    stat: max
                    comparator: "=>"
                    threshold: 0.9
                    for: five minutes
                    severity: page
                    colour: red
                  - name: cpu-busy
                    kind: node-down
                    metric: cpu.busyRatio
                    severity: critical
                """;
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(AlertRules.AlertRulesException.class)
                .satisfies(e -> assertThat(((AlertRules.AlertRulesException) e).problems()).hasSize(10))
                .hasMessageContaining("rule 'cpu-busy': field 'metric': 'cpu.busyRatoi' is not a gauge or rate")
                .hasMessageContaining("rule 'cpu-busy': field 'stat' must be avg, min, max or last (got 'mean')")
                .hasMessageContaining("rule 'cpu-busy': field 'threshold' must be a number")
                .hasMessageContaining("rule 'fs': field 'comparator'")
                .hasMessageContaining("rule 'fs': field 'for' must be a duration")
                .hasMessageContaining("rule 'fs': field 'severity'")
                .hasMessageContaining("rule 'fs': unknown field 'colour'")
                .hasMessageContaining("rule 'fs': field 'metric': 'filesystem.fsType' is not a gauge or rate")
                .hasMessageContaining("rule 'cpu-busy': field 'name' is used by an earlier rule")
                .hasMessageContaining("field 'metric' does not apply to a node-down rule");
    }

    @Test
    void unknownFamilyAndMissingListAreClear() {
        assertThatThrownBy(() -> parse("rules:\n  - {name: x, metric: gpu.util, stat: avg, comparator: '>',"
                + " threshold: 1, severity: info}"))
                .hasMessageContaining("rule 'x': field 'metric': unknown family 'gpu'");
        assertThatThrownBy(() -> parse("alerts: []")).hasMessageContaining("top-level 'rules:'");
        assertThatThrownBy(() -> parse("rules: [")).hasMessageContaining("not valid YAML");
    }

    @Test
    void loadsAFileAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rules.yaml");
        Files.writeString(f, "rules:\n  - {name: down, kind: node-down, severity: critical, for: 2m}\n");
        assertThat(AlertRules.load(f).nodeDown().forDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> AlertRules.load(dir.resolve("nope.yaml")))
                .hasMessageContaining("cannot read alert rules file").hasMessageContaining("NODEPULSE_ALERT_RULES_FILE");
    }
}
