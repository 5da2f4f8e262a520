package io.nodepulse.processor.validate;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricFamily;
import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import io.nodepulse.schema.NodeMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.IndexedRecord;

/**
 * Checks a decoded event for values no real node can report. The generic checks come from each field's kind and
 * unit in the schema (via {@link MetricFamilies}): every number finite, counters and most gauges non-negative,
 * ratios within 0..1 and percentages within 0..100 (both with a tolerance for rates sampled with jitter). A few
 * part-of-whole pairs (used and total) are named here. Pure: the clock is passed in.
 */
public final class Validator {
    /** The longest cluster, node, boot id, run id or agent version accepted. */
    static final int MAX_NAME = 253;
    /** Gauges that may legitimately be negative. */
    static final Set<String> SIGNED = Set.of("clock.offsetSeconds", "clock.frequencyPpm", "thermal.celsius");
    /** Fields that cannot exceed another field of the same record: family, part, whole. */
    static final List<String[]> PART_OF_WHOLE = List.of(
            new String[] {"memory", "usedBytes", "totalBytes"},
            new String[] {"memory", "availableBytes", "totalBytes"},
            new String[] {"memory", "freeBytes", "totalBytes"},
            new String[] {"memory", "swapUsedBytes", "swapTotalBytes"},
            new String[] {"filesystem", "usedBytes", "sizeBytes"},
            new String[] {"filesystem", "availableBytes", "sizeBytes"},
            new String[] {"filesystem", "inodesFree", "inodesTotal"},
            new String[] {"fileDescriptors", "allocated", "max"},
            new String[] {"pod", "memoryWorkingSetBytes", "memoryCurrentBytes"});

    private final Duration maxFutureSkew;
    private final Duration maxAge;
    private final double ratioTolerance;
    private final Map<String, FamilyChecks> checks = new HashMap<>();

    /** Per-family precomputed checks. */
    private record FamilyChecks(MetricField[] numeric, boolean[] mayBeNegative, double[] upper,
                                MetricField[][] pairs) {
    }

    public Validator(Duration maxFutureSkew, Duration maxAge, double ratioTolerance) {
        this.maxFutureSkew = maxFutureSkew;
        this.maxAge = maxAge;
        this.ratioTolerance = ratioTolerance;
        for (MetricFamily f : MetricFamilies.all()) {
            List<MetricField> numeric = new ArrayList<>();
            for (MetricField field : f.fields()) {
                if (field.kind() != MetricKind.ATTRIBUTE && !field.timestamp()) {
                    numeric.add(field);
                }
            }
            boolean[] signed = new boolean[numeric.size()];
            double[] upper = new double[numeric.size()];
            for (int i = 0; i < numeric.size(); i++) {
                MetricField field = numeric.get(i);
                signed[i] = SIGNED.contains(f.name() + "." + field.name());
                String unit = field.unit() == null ? "" : field.unit();
                upper[i] = unit.startsWith("ratio 0..1") ? 1 + ratioTolerance
                        : unit.startsWith("percent 0..100") ? 100 * (1 + ratioTolerance)
                        : Double.POSITIVE_INFINITY;
            }
            List<MetricField[]> pairs = new ArrayList<>();
            for (String[] p : PART_OF_WHOLE) {
                if (p[0].equals(f.name())) {
                    pairs.add(new MetricField[] {f.field(p[1]), f.field(p[2])});
                }
            }
            checks.put(f.name(), new FamilyChecks(numeric.toArray(MetricField[]::new), signed, upper,
                    pairs.toArray(MetricField[][]::new)));
        }
    }

    /** @return the first problem found, or null when the event is plausible */
    public Problem check(byte[] key, NodeMetrics e, long nowMs) {
        Problem p = envelope(key, e, nowMs);
        if (p != null) {
            return p;
        }
        Problem[] found = new Problem[1];
        MetricFamilies.forEach(e, (family, device, record) -> {
            if (found[0] == null) {
                found[0] = values(family, device, record);
            }
        });
        return found[0];
    }

    private Problem envelope(byte[] key, NodeMetrics e, long nowMs) {
        String node = e.getNode();
        if (node == null || node.isEmpty() || e.getCluster() == null || e.getCluster().isEmpty()) {
            return new Problem(Problem.BAD_ENVELOPE, "cluster and node must not be empty");
        }
        for (String[] f : new String[][] {{"cluster", e.getCluster()}, {"node", node}, {"bootId", e.getBootId()},
                {"runId", e.getRunId()}, {"agentVersion", e.getAgentVersion()}}) {
            if (f[1] != null && f[1].length() > MAX_NAME) {
                return new Problem(Problem.BAD_ENVELOPE, f[0] + " is " + f[1].length() + " characters long; at most "
                        + MAX_NAME + " are accepted (a Kubernetes node name has at most 253)");
            }
        }
        if (e.getCluster().indexOf('/') >= 0 || node.indexOf('/') >= 0) {
            return new Problem(Problem.BAD_ENVELOPE, "cluster and node must not contain '/', which separates them "
                    + "in keys");
        }
        if (key == null || !node.equals(new String(key, StandardCharsets.UTF_8))) {
            return new Problem(Problem.KEY_MISMATCH, "record key "
                    + (key == null ? "is null" : "'" + new String(key, StandardCharsets.UTF_8) + "'")
                    + " is not the event's node '" + node + "'; agents key records by node name");
        }
        if (e.getIntervalMs() <= 0) {
            return new Problem(Problem.BAD_ENVELOPE, "intervalMs " + e.getIntervalMs() + " is not positive");
        }
        if (e.getSeq() < 1) {
            return new Problem(Problem.BAD_ENVELOPE, "seq " + e.getSeq() + " is below 1");
        }
        long t = e.getEventTime().toEpochMilli();
        if (t > nowMs + maxFutureSkew.toMillis()) {
            return new Problem(Problem.FUTURE, "eventTime " + e.getEventTime() + " is more than " + maxFutureSkew
                    + " ahead of the processor's clock (" + Instant.ofEpochMilli(nowMs) + ")");
        }
        if (t < nowMs - maxAge.toMillis()) {
            return new Problem(Problem.PAST, "eventTime " + e.getEventTime() + " is more than " + maxAge
                    + " behind the processor's clock (" + Instant.ofEpochMilli(nowMs) + ")");
        }
        return null;
    }

    private Problem values(MetricFamily family, String device, IndexedRecord record) {
        FamilyChecks c = checks.get(family.name());
        for (int i = 0; i < c.numeric.length; i++) {
            MetricField f = c.numeric[i];
            Object o = record.get(f.position());
            if (o == null) {
                continue;
            }
            double v = f.number(record);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return new Problem(Problem.NOT_FINITE, where(family, device, f) + " is " + v);
            }
            if (v < 0 && !c.mayBeNegative[i]) {
                return new Problem(Problem.NEGATIVE, where(family, device, f) + " is negative (" + v + ")");
            }
            if (v > c.upper[i]) {
                return new Problem(Problem.OUT_OF_RANGE, where(family, device, f) + " is " + v
                        + ", above its unit's range (" + f.unit() + ")");
            }
        }
        for (MetricField[] pair : c.pairs) {
            Object part = record.get(pair[0].position());
            Object whole = record.get(pair[1].position());
            if (part != null && whole != null && pair[0].number(record) > pair[1].number(record)) {
                return new Problem(Problem.INCONSISTENT, where(family, device, pair[0]) + " (" + part
                        + ") exceeds " + pair[1].name() + " (" + whole + ")");
            }
        }
        return null;
    }

    private static String where(MetricFamily family, String device, MetricField f) {
        return family.name() + (device.isEmpty() ? "" : "[" + device + "]") + "." + f.name();
    }
}
