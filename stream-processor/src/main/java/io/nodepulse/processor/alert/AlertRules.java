package io.nodepulse.processor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.nodepulse.config.ConfigReader;
import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricFamily;
import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The alert rules, read from a YAML or JSON file (JSON is YAML). Every problem in the file is collected and
 * reported at once, naming the rule and the field, so a bad file fails the start with a message that says
 * what to fix.
 *
 * <pre>
 * rules:
 *   - name: cpu-busy
 *     metric: cpu.busyRatio        # family.field; a gauge or rate
 *     stat: avg                    # avg, min, max or last over each 1-minute window
 *     comparator: "&gt;"              # &gt;, &gt;=, &lt;, &lt;=, ==, !=
 *     threshold: 0.9
 *     for: 5m
 *     severity: warning            # critical, warning or info
 *     labels: {team: platform}
 *   - name: node-down
 *     kind: node-down
 *     severity: critical
 * </pre>
 */
public final class AlertRules {
    public static final String BUNDLED = "/io/nodepulse/processor/alert/default-rules.yaml";
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final Set<String> KEYS = Set.of("name", "kind", "metric", "dividedBy", "stat", "comparator",
            "threshold", "for", "severity", "labels", "summary");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final List<AlertRule> rules;

    private AlertRules(List<AlertRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<AlertRule> all() {
        return rules;
    }

    public List<AlertRule> metricRules() {
        return rules.stream().filter(r -> r.kind() == AlertRule.Kind.METRIC).toList();
    }

    /** The node-down rule, or null when the file has none (then node-down alerts are off). */
    public AlertRule nodeDown() {
        return rules.stream().filter(r -> r.kind() == AlertRule.Kind.NODE_DOWN).findFirst().orElse(null);
    }

    /** The rules shipped with the processor. */
    public static AlertRules bundled() {
        try (InputStream in = AlertRules.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("bundled alert rules " + BUNDLED + " are missing from the jar");
            }
            return parse("bundled " + BUNDLED, in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled alert rules", e);
        }
    }

    /** The rules in {@code file}, or the bundled ones when {@code file} is null. */
    public static AlertRules load(Path file) {
        if (file == null) {
            return bundled();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AlertRulesException(List.of("cannot read alert rules file " + file + ": " + e
                    + "; check NODEPULSE_ALERT_RULES_FILE"));
        }
        return parse(file.toString(), bytes);
    }

    /** @throws AlertRulesException listing every problem */
    public static AlertRules parse(String source, byte[] content) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(content);
        } catch (IOException e) {
            throw new AlertRulesException(List.of("alert rules " + source + " is not valid YAML or JSON: "
                    + e.getMessage()));
        }
        JsonNode list = root == null ? null : root.get("rules");
        if (list == null || !list.isArray()) {
            throw new AlertRulesException(List.of("alert rules " + source
                    + ": expected a top-level 'rules:' list of rules"));
        }
        List<AlertRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode n : list) {
            index++;
            String where = "alert rules " + source + ", rule #" + index;
            if (!n.isObject()) {
                problems.add(where + ": expected a mapping of name, metric, stat, comparator, threshold…");
                continue;
            }
            String name = text(n, "name");
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add(where + ": field 'name' must be set, lowercase letters, digits, '.', '_' or '-'"
                        + (name == null ? "" : " (got '" + name + "')"));
            } else {
                where = "alert rules " + source + ", rule '" + name + "'";
                if (!names.add(name)) {
                    problems.add(where + ": field 'name' is used by an earlier rule; names must be unique");
                }
            }
            AlertRule rule = rule(n, name, where, problems);
            if (rule != null) {
                rules.add(rule);
            }
        }
        if (rules.stream().filter(r -> r.kind() == AlertRule.Kind.NODE_DOWN).count() > 1) {
            problems.add("alert rules " + source + ": only one rule may have kind node-down");
        }
        if (!problems.isEmpty()) {
            throw new AlertRulesException(problems);
        }
        return new AlertRules(rules);
    }

    private static AlertRule rule(JsonNode n, String name, String where, List<String> problems) {
        int before = problems.size();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                problems.add(where + ": unknown field '" + key + "'; known fields: " + new java.util.TreeSet<>(KEYS));
            }
        }
        String kindText = text(n, "kind");
        AlertRule.Kind kind = AlertRule.Kind.METRIC;
        if (kindText != null) {
            if (kindText.equals("node-down")) {
                kind = AlertRule.Kind.NODE_DOWN;
            } else if (!kindText.equals("metric")) {
                problems.add(where + ": field 'kind' must be 'metric' or 'node-down', not '" + kindText + "'");
            }
        }
        String severity = text(n, "severity");
        if (severity == null || !SEVERITIES.contains(severity)) {
            problems.add(where + ": field 'severity' must be one of " + new java.util.TreeSet<>(SEVERITIES)
                    + (severity == null ? "" : " (got '" + severity + "')"));
        }
        Duration forDuration = Duration.ZERO;
        String forText = text(n, "for");
        if (forText != null) {
            forDuration = ConfigReader.parseDuration(forText);
            if (forDuration == null) {
                problems.add(where + ": field 'for' must be a duration like 30s, 5m or 1h, not '" + forText + "'");
                forDuration = Duration.ZERO;
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = n.get("labels");
        if (l != null && !l.isNull()) {
            if (!l.isObject()) {
                problems.add(where + ": field 'labels' must be a mapping of names to strings");
            } else {
                l.properties().forEach(e -> {
                    if (!e.getValue().isValueNode()) {
                        problems.add(where + ": field 'labels." + e.getKey() + "' must be a string");
                    } else {
                        labels.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        }
        String summary = text(n, "summary");
        if (kind == AlertRule.Kind.NODE_DOWN) {
            for (String k : List.of("metric", "dividedBy", "stat", "comparator", "threshold")) {
                if (n.has(k)) {
                    problems.add(where + ": field '" + k + "' does not apply to a node-down rule (liveness decides)");
                }
            }
            return problems.size() > before ? null : new AlertRule(name, kind, null, null, null, null, null, 0,
                    forDuration, severity, labels, summary);
        }
        MetricFamily family = null;
        String field = null;
        String metric = text(n, "metric");
        if (metric == null) {
            problems.add(where + ": field 'metric' is required, as family.field, e.g. cpu.busyRatio");
        } else {
            int dot = metric.indexOf('.');
            String familyName = dot < 0 ? metric : metric.substring(0, dot);
            field = dot < 0 ? null : metric.substring(dot + 1);
            try {
                family = MetricFamilies.byName(familyName);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": field 'metric': unknown family '" + familyName + "'; known: "
                        + MetricFamilies.all().stream().map(MetricFamily::name).toList());
            }
            if (family != null && !statField(family, field)) {
                problems.add(where + ": field 'metric': '" + metric + "' is not a gauge or rate of family '"
                        + family.name() + "'; its gauges and rates: " + statFields(family));
            }
        }
        String dividedBy = text(n, "dividedBy");
        if (dividedBy != null && family != null && !statField(family, dividedBy)) {
            problems.add(where + ": field 'dividedBy': '" + dividedBy + "' is not a gauge or rate of family '"
                    + family.name() + "'; its gauges and rates: " + statFields(family));
        }
        AlertRule.Stat stat = null;
        String statText = text(n, "stat");
        try {
            stat = statText == null ? null : AlertRule.Stat.valueOf(statText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            stat = null;
        }
        if (stat == null) {
            problems.add(where + ": field 'stat' must be avg, min, max or last"
                    + (statText == null ? "" : " (got '" + statText + "')"));
        }
        String cmpText = text(n, "comparator");
        AlertRule.Comparator comparator = cmpText == null ? null : AlertRule.Comparator.parse(cmpText);
        if (comparator == null) {
            problems.add(where + ": field 'comparator' must be one of >, >=, <, <=, ==, !="
                    + (cmpText == null ? "" : " (got '" + cmpText + "')"));
        }
        JsonNode th = n.get("threshold");
        double threshold = 0;
        if (th == null || !th.isNumber() || !Double.isFinite(th.asDouble())) {
            problems.add(where + ": field 'threshold' must be a number"
                    + (th == null ? "" : " (got '" + th.asText() + "')"));
        } else {
            threshold = th.asDouble();
        }
        if (problems.size() > before) {
            return null;
        }
        return new AlertRule(name, kind, family, field, dividedBy, stat, comparator, threshold, forDuration,
                severity, labels, summary);
    }

    private static boolean statField(MetricFamily family, String field) {
        return field != null && family.fields().stream()
                .anyMatch(f -> f.name().equals(field) && (f.kind() == MetricKind.GAUGE || f.kind() == MetricKind.RATE));
    }

    private static List<String> statFields(MetricFamily family) {
        return family.fields().stream().filter(f -> f.kind() == MetricKind.GAUGE || f.kind() == MetricKind.RATE)
                .map(MetricField::name).toList();
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The rules file is invalid; the message lists every problem. */
    public static final class AlertRulesException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        public AlertRulesException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
