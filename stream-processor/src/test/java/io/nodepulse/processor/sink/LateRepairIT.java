package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.CounterSpan;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.Stat;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * One node's events arrive on the late topic more than 5 minutes (of event time) after their windows closed,
 * after Streams' rollups for those windows were stored from incomplete data. The sink stores their raw rows and
 * recomputes the affected rollup rows from raw data; afterwards every rollup row in the database equals a
 * reference computed in Java from all events. Replaying the same late events again changes nothing.
 */
class LateRepairIT extends Fixtures.PreparedStack {
    @Test
    void lateEventsEndWithExactRollups() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)).plus(Duration.ofMinutes(10));
        List<NodeMetrics> all = Fixtures.events("late", List.of("n1", "n2", "n3"), start, 48);
        // n1's events at seq 3 and 4 (minute 0) missed their 1-minute window only; seq 9 (minute 1) also missed
        // its 1-hour window
        Set<Long> lateOnlyMinute = Set.of(3L, 4L);
        Set<Long> lateBoth = Set.of(9L);
        List<NodeMetrics> late = new ArrayList<>();
        List<NodeMetrics> onTime = new ArrayList<>();
        for (NodeMetrics e : all) {
            boolean isLate = e.getNode().equals("n1")
                    && (lateOnlyMinute.contains(e.getSeq()) || lateBoth.contains(e.getSeq()));
            (isLate ? late : onTime).add(e);
        }
        // what Streams emitted: 1-minute windows without any late event, the 1-hour window without seq 9
        Map<ReferenceRollups.Key, NodeRollup> streamedMinute = ReferenceRollups.compute(onTime, Resolution.MINUTE);
        Map<ReferenceRollups.Key, NodeRollup> streamedHour = ReferenceRollups.compute(
                all.stream().filter(e -> !(e.getNode().equals("n1") && lateBoth.contains(e.getSeq()))).toList(),
                Resolution.HOUR);
        Map<ReferenceRollups.Key, NodeRollup> exactMinute = ReferenceRollups.compute(all, Resolution.MINUTE);
        Map<ReferenceRollups.Key, NodeRollup> exactHour = ReferenceRollups.compute(all, Resolution.HOUR);

        MetricRegistry registry = new MetricRegistry();
        try (Sink sink = Sink.start(Fixtures.config(stack), topics, Fixtures.SERDES, registry);
             Connection c = stack.connect(stack.owner());
             KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack)) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            onTime.forEach(e -> records.add(Fixtures.valid(topics, e)));
            streamedMinute.values().forEach(r -> records.add(Fixtures.rollup(topics, r)));
            streamedHour.values().forEach(r -> records.add(Fixtures.rollup(topics, r)));
            Fixtures.send(producer, records, true);
            long rollupRows = streamedMinute.size() + streamedHour.size();
            assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(
                    () -> rollupCount(c) == rollupRows && Fixtures.rows(c, Tables.NODE_EVENTS) == onTime.size())))
                    .isTrue();
            assertThat(mismatches(c, exactMinute, Resolution.MINUTE)).as("n1's minutes 0 and 1 are incomplete")
                    .isNotEmpty().allMatch(m -> m.startsWith("n1/"));

            Fixtures.send(producer, lateRecords(late, lateBoth), true);
            awaitRepairs(c, registry, 1);
            assertThat(Fixtures.rows(c, Tables.NODE_EVENTS)).isEqualTo(all.size());
            assertThat(mismatches(c, exactMinute, Resolution.MINUTE)).isEmpty();
            assertThat(mismatches(c, exactHour, Resolution.HOUR)).isEmpty();
            assertThat(rollupCount(c)).isEqualTo(exactMinute.size() + exactHour.size());

            // the same late events again: raw rows are skipped as duplicates, the repair runs again, same rows
            Fixtures.send(producer, lateRecords(late, lateBoth), true);
            awaitRepairs(c, registry, 2);
            assertThat(Fixtures.rows(c, Tables.NODE_EVENTS)).isEqualTo(all.size());
            assertThat(mismatches(c, exactMinute, Resolution.MINUTE)).isEmpty();
            assertThat(mismatches(c, exactHour, Resolution.HOUR)).isEmpty();
            assertThat(registry.scrape()).containsPattern("nodepulse_sink_duplicate_rows_total [1-9]");
            assertThat(sink.readiness().ready()).isTrue();
        }
    }

    private List<ProducerRecord<byte[], byte[]>> lateRecords(List<NodeMetrics> late, Set<Long> lateBoth) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (NodeMetrics e : late) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topics.late().name(), e.getNode().getBytes(),
                    Fixtures.SERDES.nodeMetrics().serialize(null, e));
            r.headers().add("nodepulse.repair",
                    (lateBoth.contains(e.getSeq()) ? "1m,1h" : "1m").getBytes(StandardCharsets.UTF_8));
            out.add(r);
        }
        return out;
    }

    /** Waits until the queue is empty and the given number of repair rounds covered n1's windows. */
    private static void awaitRepairs(Connection c, MetricRegistry registry, int times) throws Exception {
        // 14 families × (2 minutes + 1 hour) entries per replay
        long entries = 14L * 3 * times;
        assertThat(Fixtures.await(Duration.ofSeconds(60), Fixtures.quietly(() -> {
            String s = registry.scrape();
            long done = metric(s, "nodepulse_sink_repairs_total{resolution=\"1m\"}")
                    + metric(s, "nodepulse_sink_repairs_total{resolution=\"1h\"}");
            return done >= entries && Fixtures.rows(c, Tables.REPAIR_QUEUE) == 0;
        }))).as("repairs done").isTrue();
    }

    private static long metric(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        return 0;
    }

    private static long rollupCount(Connection c) throws Exception {
        long n = 0;
        for (FamilyTable t : Tables.families()) {
            for (Resolution r : Resolution.values()) {
                n += Fixtures.rows(c, Tables.data(t.rollupTable(r)));
            }
        }
        return n;
    }

    /** Rows that differ from the reference, as "node/family/device/bucket: column"; missing rows included. */
    private static List<String> mismatches(Connection c, Map<ReferenceRollups.Key, NodeRollup> reference,
                                           Resolution res) throws Exception {
        List<String> out = new ArrayList<>();
        Set<ReferenceRollups.Key> seen = new HashSet<>();
        for (FamilyTable t : Tables.families()) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT *, (extract(epoch FROM bucket) * 1000)::bigint AS b_ms, "
                         + "(extract(epoch FROM last_event_time) * 1000)::bigint AS l_ms FROM "
                         + Tables.data(t.rollupTable(res)))) {
                while (rs.next()) {
                    String device = t.deviceColumn() == null ? "" : rs.getString(t.deviceColumn());
                    ReferenceRollups.Key k = new ReferenceRollups.Key(rs.getString("cluster"), rs.getString("node"),
                            t.family().name(), device, rs.getLong("b_ms"));
                    seen.add(k);
                    NodeRollup want = reference.get(k);
                    String where = k.node() + "/" + k.family() + "/" + device + "/" + Instant.ofEpochMilli(k.windowStart());
                    if (want == null) {
                        out.add(where + ": not in the reference");
                        continue;
                    }
                    if (rs.getInt("samples") != want.getSamples()) {
                        out.add(where + ": samples " + rs.getInt("samples") + " != " + want.getSamples());
                    }
                    if (rs.getLong("l_ms") != want.getLastEventTime().toEpochMilli()) {
                        out.add(where + ": last_event_time");
                    }
                    for (Column col : t.rollupColumns()) {
                        if (col.field() != null && !same(rs, col, want)) {
                            out.add(where + ": " + col.name() + " = " + rs.getObject(col.name()) + ", want "
                                    + expected(col, want));
                        }
                    }
                }
            }
        }
        for (ReferenceRollups.Key k : reference.keySet()) {
            if (!seen.contains(k)) {
                out.add(k.node() + "/" + k.family() + "/" + k.device() + "/" + Instant.ofEpochMilli(k.windowStart())
                        + ": missing");
            }
        }
        return out;
    }

    private static Object expected(Column col, NodeRollup want) {
        MetricField f = col.field();
        Stat s = want.getStats().get(f.name());
        CounterSpan span = want.getCounters().get(f.name());
        return switch (col.role()) {
            case MIN -> s == null ? null : s.getMin();
            case MAX -> s == null ? null : s.getMax();
            case SUM -> s == null ? null : s.getSum();
            case COUNT -> s == null ? null : s.getCount();
            case FIRST -> span == null ? null : span.getFirst();
            case LAST -> f.kind() == MetricKind.COUNTER ? (span == null ? null : span.getLast())
                    : (s == null ? null : s.getLast());
            case ATTRIBUTE -> want.getAttributes().get(f.name());
            default -> throw new IllegalStateException(col.toString());
        };
    }

    private static boolean same(ResultSet rs, Column col, NodeRollup want) throws Exception {
        Object w = expected(col, want);
        Object got = rs.getObject(col.name());
        if (w == null || got == null) {
            return w == null && got == null;
        }
        if (col.role() == Column.Role.SUM) {
            double a = ((Number) got).doubleValue();
            double b = ((Number) w).doubleValue();
            // sums may add in a different order
            return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
        }
        if (w instanceof Number n) {
            return ((Number) got).doubleValue() == n.doubleValue();
        }
        return w.equals(got);
    }
}
