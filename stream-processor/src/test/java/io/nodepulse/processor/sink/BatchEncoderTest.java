package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.SampleMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class BatchEncoderTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    /** Loading the serdes applies the Avro settings (trusted packages) that copying generated records needs. */
    private static final Object SERDES = Fixtures.SERDES;
    private final List<String> unknown = new ArrayList<>();
    private final BatchEncoder encoder = new BatchEncoder(unknown::add);
    private long offset;

    private SinkRecord record(Source source, String topic, Object value) {
        return new SinkRecord(source, new ConsumerRecord<>(topic, 0, offset++, new byte[0], new byte[0]), value, null);
    }

    private static NodeMetrics event(long seq) {
        return SampleMetrics.event("c", "n", "b", "r", seq, T0.plusSeconds(10 * (seq - 1)));
    }

    @Test
    void anEventBecomesOneRowPerFamilyRecordPlusItsEventRow() {
        EncodedBatch b = encoder.encode(List.of(record(Source.METRICS, "valid", event(2))), false);
        Map<String, Integer> rows = new TreeMap<>();
        b.copies.values().forEach(c -> rows.put(c.table + (c.staged ? " staged" : ""), c.rows.rows()));
        Map<String, Integer> expected = new TreeMap<>();
        Fixtures.rowsPerEvent().forEach(expected::put);
        assertThat(rows).isEqualTo(expected);
        assertThat(b.latest).hasSize(1);
        EncodedBatch.LatestRow latest = b.latest.values().iterator().next();
        assertThat(latest.diskRead()).isEqualTo(2 * 2048.0);
        assertThat(latest.netRx()).isEqualTo(2 * 5000.0);
        assertThat(latest.pods()).isEqualTo(3);
        assertThat(b.nextOffsets.values()).containsExactly(1L);
        assertThat(b.repairs).isEmpty();
    }

    @Test
    void aShutdownEventKeepsTheLatestValuesOfTheLastSample() {
        NodeMetrics shutdown = NodeMetrics.newBuilder(event(3)).setKind(EventKind.SHUTDOWN).setCpu(null)
                .setMemory(null).build();
        EncodedBatch b = encoder.encode(List.of(record(Source.METRICS, "valid", event(2)),
                record(Source.METRICS, "valid", shutdown)), false);
        assertThat(b.latest.values()).singleElement().satisfies(l -> {
            assertThat(l.timeMillis()).isEqualTo(T0.plusSeconds(10).toEpochMilli());
            assertThat(l.cpuBusy()).isNotNull();
            assertThat(l.memTotal()).isNotNull();
        });
        assertThat(b.seen.values()).singleElement().satisfies(s -> assertThat(s.lastMillis())
                .isEqualTo(T0.plusSeconds(20).toEpochMilli()));
    }

    @Test
    void lateEventsAreStagedAndQueueRepairsForTheHeaderResolutions() {
        SinkRecord late = record(Source.LATE, "late", event(8));
        late.raw().headers().add("nodepulse.repair", "1m,1h".getBytes(StandardCharsets.UTF_8));
        EncodedBatch b = encoder.encode(List.of(late), false);
        assertThat(b.copies.values()).allMatch(c -> c.staged);
        assertThat(b.repairs).hasSize(14 * 2);
        assertThat(b.repairs).allMatch(k -> k.bucketMillis() == k.resolution().windowStart(
                T0.plusSeconds(70).toEpochMilli()));
        SinkRecord noHeader = record(Source.LATE, "late", event(9));
        assertThat(encoder.encode(List.of(noHeader), false).repairs).hasSize(14)
                .allMatch(k -> k.resolution() == Resolution.MINUTE);
    }

    @Test
    void stageAllSendsEverySourceThroughStagingTables() {
        EncodedBatch b = encoder.encode(List.of(record(Source.METRICS, "valid", event(3))), true);
        assertThat(b.copies.values()).isNotEmpty().allMatch(c -> c.staged);
    }

    @Test
    void impossibleRollupsAreRefusedWithAReason() {
        NodeRollup ok = ReferenceRollups.compute(List.of(event(1), event(2)), Resolution.MINUTE).values().stream()
                .filter(r -> r.getFamily().equals("cpu")).findFirst().orElseThrow();
        List<SinkRecord> records = List.of(
                record(Source.ROLLUP_1M, "r1m", ok),
                record(Source.ROLLUP_1M, "r1m", NodeRollup.newBuilder(ok).setResolutionSeconds(3600).build()),
                record(Source.ROLLUP_1M, "r1m", NodeRollup.newBuilder(ok).setFamily("gpu").build()),
                record(Source.ROLLUP_1M, "r1m", NodeRollup.newBuilder(ok).setDevice("sda").build()),
                record(Source.ROLLUP_1M, "r1m", NodeRollup.newBuilder(ok)
                        .setWindowStart(ok.getWindowStart().plusSeconds(1)).build()));
        EncodedBatch b = encoder.encode(records, false);
        assertThat(b.rejected).extracting(EncodedBatch.Rejected::reason).containsOnly("sink-bad-rollup").hasSize(4);
        assertThat(b.copies.get("nodepulse_data.cpu_1m").rows.rows()).isEqualTo(1);
        assertThat(b.nextOffsets.values()).containsExactly(5L);
    }

    @Test
    void unknownRollupFieldsAreCountedNotFatal() {
        NodeRollup ok = ReferenceRollups.compute(List.of(event(1), event(2)), Resolution.MINUTE).values().stream()
                .filter(r -> r.getFamily().equals("load")).findFirst().orElseThrow();
        NodeRollup newer = NodeRollup.newBuilder(ok).setAttributes(Map.of("kernel", "6.1")).build();
        EncodedBatch b = encoder.encode(List.of(record(Source.ROLLUP_1M, "r1m", newer)), false);
        assertThat(b.rejected).isEmpty();
        assertThat(unknown).containsExactly("load.kernel");
    }

    @Test
    void aRecordThatCannotBeEncodedLeavesNoPartialRows() {
        NodeMetrics good = event(2);
        NodeMetrics bad = NodeMetrics.newBuilder(event(3)).build();
        // a boot time PostgreSQL cannot hold fails after the event row and the cpu and memory rows were written
        bad.getLoad().setBootTime(Instant.MAX);
        EncodedBatch b = encoder.encode(List.of(record(Source.METRICS, "valid", good),
                record(Source.METRICS, "valid", bad)), false);
        assertThat(b.rejected).hasSize(1).first().satisfies(r -> assertThat(r.reason()).isEqualTo("sink-unencodable"));
        assertThat(b.copies.values()).allMatch(c -> c.rows.rows() == Fixtures.rowsPerEvent().get(c.table));
        assertThat(b.latest.values()).extracting(EncodedBatch.LatestRow::timeMillis)
                .containsExactly(T0.plusSeconds(10).toEpochMilli());
    }

    @Test
    void undecodableRecordsAndTombstones() {
        SinkRecord garbage = record(Source.METRICS, "valid", null).refused("sink-undecodable", "BAD_MAGIC", null);
        SinkRecord tombstone = record(Source.STATUS, "status", null);
        EncodedBatch b = encoder.encode(List.of(garbage, tombstone), false);
        assertThat(b.rejected).hasSize(1);
        assertThat(b.skipped).isEqualTo(1);
        assertThat(b.copies).isEmpty();
        assertThat(b.nextOffsets.values()).containsExactly(1L, 2L);
    }
}
