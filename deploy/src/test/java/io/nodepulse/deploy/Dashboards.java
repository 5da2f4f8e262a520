package io.nodepulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The Grafana dashboards under deploy/grafana/dashboards and their SQL targets. */
final class Dashboards {
    record Target(String dashboard, String panel, String refId, String format, String sql, String minInterval) {
        String where() {
            return dashboard + " / " + panel + " / " + refId;
        }
    }

    private Dashboards() {
    }

    static Path dir() {
        return Repo.deploy().resolve("grafana/dashboards");
    }

    static List<JsonNode> all() {
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(dir())) {
            List<JsonNode> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(json.readTree(f.toFile()));
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot read the dashboards: " + e.getMessage(), e);
        }
    }

    static List<Target> targets(JsonNode dashboard) {
        List<Target> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Target(dashboard.path("title").asText(), p.path("title").asText(),
                        t.path("refId").asText(), t.path("format").asText(), t.path("rawSql").asText(),
                        p.path("interval").asText(null)));
            }
        }
        return out;
    }
}
