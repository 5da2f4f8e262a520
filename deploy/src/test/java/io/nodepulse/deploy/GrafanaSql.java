package io.nodepulse.deploy;

import io.nodepulse.config.ConfigReader;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands a panel's SQL the way Grafana's PostgreSQL data source does before sending it: template variables
 * (a multi-value or include-all variable becomes a list of quoted literals, a single-value one its raw text),
 * {@code $__interval}/{@code $__interval_ms}, then the macros ({@code $__time}, {@code $__timeEpoch},
 * {@code $__timeFilter}, {@code $__timeFrom}, {@code $__timeTo}, {@code $__timeGroup},
 * {@code $__timeGroupAlias}) with the TimescaleDB option on ({@code time_bucket}). An unknown macro fails.
 */
final class GrafanaSql {
    /** A template variable's current value(s). */
    record Var(List<String> values, boolean multi) {
        String render() {
            if (!multi) {
                return values.get(0);
            }
            List<String> q = new ArrayList<>();
            for (String v : values) {
                q.add("'" + v.replace("'", "''") + "'");
            }
            return String.join(",", q);
        }
    }

    private static final Pattern MACRO = Pattern.compile("\\$__([_a-zA-Z0-9]+)\\(([^)]*)\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private GrafanaSql() {
    }

    static String expand(String sql, Instant from, Instant to, Duration interval, Map<String, Var> vars) {
        String s = sql.replace("$__interval_ms", Long.toString(interval.toMillis()))
                .replace("$__interval", format(interval));
        Matcher v = VARIABLE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (v.find()) {
            String name = v.group(1) != null ? v.group(1) : v.group(2);
            if (name.startsWith("__")) {
                v.appendReplacement(out, Matcher.quoteReplacement(v.group()));
                continue;
            }
            Var var = vars.get(name);
            if (var == null) {
                throw new AssertionError("undefined template variable $" + name + " in: " + sql);
            }
            v.appendReplacement(out, Matcher.quoteReplacement(var.render()));
        }
        v.appendTail(out);
        s = out.toString();

        Matcher m = MACRO.matcher(s);
        out = new StringBuilder();
        while (m.find()) {
            List<String> args = new ArrayList<>();
            for (String a : m.group(2).split(",")) {
                args.add(a.strip());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(macro(m.group(1), args, from, to, sql)));
        }
        m.appendTail(out);
        if (out.indexOf("$") >= 0 && Pattern.compile("\\$__\\w+").matcher(out).find()) {
            throw new AssertionError("unexpanded macro left in: " + out);
        }
        return out.toString();
    }

    private static String macro(String name, List<String> args, Instant from, Instant to, String sql) {
        return switch (name) {
            case "time" -> args.get(0) + " AS \"time\"";
            case "timeEpoch" -> "extract(epoch from " + args.get(0) + ") as \"time\"";
            case "timeFilter" -> args.get(0) + " BETWEEN '" + rfc3339(from) + "' AND '" + rfc3339(to) + "'";
            case "timeFrom" -> "'" + rfc3339(from) + "'";
            case "timeTo" -> "'" + rfc3339(to) + "'";
            case "timeGroup", "timeGroupAlias" -> {
                if (args.size() < 2) {
                    throw new AssertionError("$__" + name + " needs a column and an interval: " + sql);
                }
                Duration d = parse(args.get(1).replaceAll("^['\"]|['\"]$", ""));
                String g = String.format(Locale.ROOT, "time_bucket('%.3fs',%s)", d.toMillis() / 1000.0, args.get(0));
                yield name.equals("timeGroupAlias") ? g + " AS \"time\"" : g;
            }
            default -> throw new AssertionError("macro $__" + name + " is not one Grafana's PostgreSQL data source "
                    + "knows (or not one this check expands): " + sql);
        };
    }

    static String rfc3339(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    static Duration parse(String s) {
        Duration d = ConfigReader.parseDuration(s);
        if (d == null) {
            throw new AssertionError("not an interval: " + s);
        }
        return d;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static final List<Duration> NICE = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
            Duration.ofHours(3), Duration.ofHours(12), Duration.ofDays(1));

    /** $__interval: the range over about 1000 points, rounded up to a round step, not below the panel's minimum. */
    static Duration interval(Instant from, Instant to, String panelMin) {
        Duration raw = Duration.between(from, to).dividedBy(1000);
        Duration pick = NICE.get(NICE.size() - 1);
        for (Duration n : NICE) {
            if (n.compareTo(raw) >= 0) {
                pick = n;
                break;
            }
        }
        if (panelMin != null && !panelMin.isBlank()) {
            Duration min = parse(panelMin.replace(">", ""));
            if (min.compareTo(pick) > 0) {
                pick = min;
            }
        }
        return pick;
    }
}
