package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboards are well-formed and query only the documented views through the provisioned data source. */
class DashboardsTest {
    static final Pattern RELATION = Pattern.compile("(?i)\\b(?:FROM|JOIN)\\s+([a-z_][a-z0-9_]*)\\.([a-z_][a-z0-9_]*)");

    @Test
    void dashboardsCoverFleetNodeAndAlerts() {
        List<String> titles = Dashboards.all().stream().map(d -> d.path("title").asText()).toList();
        assertThat(titles).containsExactlyInAnyOrder("nodepulse / Fleet overview", "nodepulse / Node detail",
                "nodepulse / Alerts and node status");
        String node = Dashboards.all().stream().filter(d -> d.path("uid").asText().equals("nodepulse-node"))
                .findFirst().orElseThrow().toString();
        for (String view : List.of("cpu_raw", "memory_raw", "disk_raw", "interface_raw", "filesystem_raw",
                "cpu_pressure_raw", "memory_pressure_raw", "io_pressure_raw", "pod_raw")) {
            assertThat(node).as("node detail shows %s", view).contains("nodepulse." + view);
        }
    }

    @Test
    void everyQueryUsesTheProvisionedDataSourceAndOnlyDocumentedViews() throws IOException {
        JsonNode ds = Manifests.yamlTree(Repo.deploy().resolve("grafana/provisioning/datasources/nodepulse.yaml"))
                .path("datasources").get(0);
        assertThat(ds.path("user").asText()).as("the reader role").isEqualTo("nodepulse_reader");
        assertThat(ds.path("secureJsonData").path("password").asText()).startsWith("$__file{");
        assertThat(ds.path("jsonData").path("timescaledb").asBoolean()).isTrue();
        String views = Files.readString(Repo.root().resolve(
                "stream-processor/src/main/resources/db/migration/R__views.sql"));
        Set<String> seenIds = new HashSet<>();
        for (JsonNode d : Dashboards.all()) {
            assertThat(d.path("uid").asText()).isNotBlank();
            Set<String> vars = new HashSet<>();
            for (JsonNode v : d.path("templating").path("list")) {
                vars.add(v.path("name").asText());
                checkSql(v.path("query").asText(), views, "variable " + v.path("name"));
                assertThat(v.path("datasource").path("uid").asText()).isEqualTo(ds.path("uid").asText());
            }
            for (JsonNode p : d.path("panels")) {
                assertThat(seenIds.add(d.path("uid").asText() + "/" + p.path("id").asText())).isTrue();
                assertThat(p.path("datasource").path("uid").asText()).isEqualTo(ds.path("uid").asText());
                assertThat(p.path("datasource").path("type").asText()).isEqualTo(ds.path("type").asText());
                assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
            }
            for (Dashboards.Target t : Dashboards.targets(d)) {
                assertThat(t.format()).as(t.where()).isIn("time_series", "table");
                checkSql(t.sql(), views, t.where());
                Matcher used = Pattern.compile("\\$\\{?(\\w+)").matcher(t.sql());
                while (used.find()) {
                    if (!used.group(1).startsWith("__")) {
                        assertThat(vars).as("%s uses $%s", t.where(), used.group(1)).contains(used.group(1));
                    }
                }
                if (t.format().equals("time_series")) {
                    assertThat(t.sql()).as(t.where()).contains("$__timeFilter(").satisfiesAnyOf(
                            s -> assertThat(s).contains("$__timeGroupAlias("), s -> assertThat(s).contains("$__time("));
                }
            }
        }
    }

    @Test
    void piechartsAndBarGaugesOfTableQueriesShowOneItemPerRow() {
        int seen = 0;
        for (JsonNode d : Dashboards.all()) {
            for (JsonNode p : d.path("panels")) {
                String type = p.path("type").asText();
                boolean table = false;
                for (JsonNode t : p.path("targets")) {
                    table |= t.path("format").asText().equals("table");
                }
                if ((type.equals("piechart") || type.equals("bargauge")) && table) {
                    seen++;
                    // without it Grafana reduces every column to one value: one slice or bar for the panel
                    assertThat(p.path("options").path("reduceOptions").path("values").asBoolean())
                            .as("%s / %s: options.reduceOptions.values", d.path("title").asText(),
                                    p.path("title").asText()).isTrue();
                }
            }
        }
        assertThat(seen).isPositive();
    }

    @Test
    void topNodesRanksWithinTheSelectedClusters() {
        int calls = 0;
        for (JsonNode d : Dashboards.all()) {
            for (Dashboards.Target t : Dashboards.targets(d)) {
                int at = t.sql().indexOf("top_nodes(");
                if (at < 0) {
                    continue;
                }
                calls++;
                // a filter on the ranked rows would leave fewer than n nodes of the selected clusters
                assertThat(arguments(t.sql(), at + "top_nodes".length())).as(t.where()).hasSize(5)
                        .last().asString().contains("$cluster");
            }
        }
        assertThat(calls).isPositive();
    }

    /** The comma-separated arguments of the call whose '(' is at {@code open}. */
    private static List<String> arguments(String sql, int open) {
        List<String> args = new ArrayList<>();
        int depth = 0;
        int start = open + 1;
        for (int i = open; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (ch == '(' || ch == '[') {
                depth++;
            } else if (ch == ')' || ch == ']') {
                depth--;
                if (depth == 0) {
                    args.add(sql.substring(start, i).strip());
                    return args;
                }
            } else if (ch == ',' && depth == 1) {
                args.add(sql.substring(start, i).strip());
                start = i + 1;
            }
        }
        throw new AssertionError("unbalanced call in: " + sql);
    }

    private static void checkSql(String sql, String views, String where) {
        Matcher m = RELATION.matcher(sql);
        int n = 0;
        while (m.find()) {
            n++;
            assertThat(m.group(1)).as("%s reads schema nodepulse only (the reader's interface)", where)
                    .isEqualTo("nodepulse");
            assertThat(views).as("%s: nodepulse.%s is documented", where, m.group(2))
                    .containsPattern("CREATE OR REPLACE (VIEW|FUNCTION) nodepulse\\." + m.group(2) + "\\b");
        }
        assertThat(n).as("%s reads a relation", where).isPositive();
    }
}
