package io.nodepulse.processor.alert;

import io.nodepulse.family.MetricFamily;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One alert rule. A metric rule compares a statistic of a field over each closed 1-minute window with a
 * threshold (optionally the field divided by another field of the same family, e.g. available over total memory)
 * and fires when the condition has held for {@code forDuration} of consecutive windows; per-device families
 * are evaluated per device. The node-down rule has no metric: liveness drives it.
 *
 * @param name        unique name, e.g. cpu-busy
 * @param kind        metric or node-down
 * @param family      metric rules: the family
 * @param field       metric rules: a gauge or rate of the family
 * @param dividedBy   metric rules: optional field of the same family to divide by, else null
 * @param stat        metric rules: which statistic of the window
 * @param comparator  metric rules: how the value compares with the threshold to fire
 * @param threshold   metric rules: in the field's unit (a ratio when dividedBy is set)
 * @param forDuration how long the condition must hold before FIRING
 * @param severity    critical, warning or info
 * @param labels      copied into every alert
 * @param summary     human text; {value}, {threshold}, {device} and {node} are replaced
 */
public record AlertRule(String name, Kind kind, MetricFamily family, String field, String dividedBy, Stat stat,
                        Comparator comparator, double threshold, Duration forDuration, String severity,
                        Map<String, String> labels, String summary) {

    public enum Kind { METRIC, NODE_DOWN }

    /** Which statistic of a window the rule reads. */
    public enum Stat { AVG, MIN, MAX, LAST }

    /** How the observed value is compared with the threshold. */
    public enum Comparator {
        GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

        final String symbol;

        Comparator(String symbol) {
            this.symbol = symbol;
        }

        public boolean test(double value, double threshold) {
            return switch (this) {
                case GT -> value > threshold;
                case GE -> value >= threshold;
                case LT -> value < threshold;
                case LE -> value <= threshold;
                case EQ -> value == threshold;
                case NE -> value != threshold;
            };
        }

        static Comparator parse(String s) {
            for (Comparator c : values()) {
                if (c.symbol.equals(s)) {
                    return c;
                }
            }
            return null;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** The metric as written in the rules file, e.g. filesystem.usedRatio. */
    public String metric() {
        return family == null ? null : family.name() + "." + field + (dividedBy == null ? "" : " / " + dividedBy);
    }

    public String render(String node, String device, Double value) {
        String text = summary;
        if (text == null || text.isBlank()) {
            text = kind == Kind.NODE_DOWN ? "node {node} is down"
                    : name + ": " + stat.name().toLowerCase(java.util.Locale.ROOT) + " of " + metric()
                    + " is {value} (" + comparator.symbol + " {threshold})" + (family.perDevice() ? " on {device}" : "");
        }
        // one pass, so a node or device name that contains a placeholder is printed as it is
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = switch (m.group(1)) {
                case "node" -> node;
                case "device" -> device == null ? "" : device;
                case "value" -> value == null ? "?" : format(value);
                default -> format(threshold);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(node|device|value|threshold)}");

    private static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
                : String.format(java.util.Locale.ROOT, "%.4g", d);
    }
}
