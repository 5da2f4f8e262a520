package io.nodepulse.processor.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricField;
import io.nodepulse.family.MetricKind;
import io.nodepulse.processor.validate.RepairHeader;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.CounterSpan;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.schema.Stat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns decoded records into binary COPY rows per table, plus the upserts and repair entries of a batch. Pure:
 * no I/O. A record whose rows cannot be encoded (a timestamp outside PostgreSQL's range, a rollup of an
 * unknown family or resolution) is rejected as a whole and its partial rows are dropped, before the database
 * would refuse the batch. Values only the database can judge (text with a NUL character) are found by
 * bisecting the refused batch.
 */
final class BatchEncoder {
    private static final Logger log = LoggerFactory.getLogger(BatchEncoder.class);
    static final List<String> NODE_EVENT_COLUMNS = List.of("cluster", "node", "time", "boot_id", "run_id", "seq",
            "kind", "interval_ms", "agent_version", "collectors", "failed_collectors", "collector_errors",
            "collect_micros");
    static final List<String> NODE_STATUS_COLUMNS = List.of("cluster", "node", "time", "state", "previous_state",
            "last_seen", "boot_id", "run_id", "reboot", "reason");
    static final List<String> ALERT_COLUMNS = List.of("cluster", "node", "time", "rule", "device", "severity",
            "state", "value", "threshold", "since", "summary", "labels");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where each family's raw rows and rollup rows go, precomputed for the hot path. */
    private static final Map<String, Target> RAW = new HashMap<>();
    private static final Map<String, Target> MINUTE = new HashMap<>();
    private static final Map<String, Target> HOUR = new HashMap<>();
    private static final Target EVENTS = new Target(Tables.NODE_EVENTS, NODE_EVENT_COLUMNS);
    private static final Target STATUS = new Target(Tables.NODE_STATUS, NODE_STATUS_COLUMNS);
    private static final Target ALERTS = new Target(Tables.ALERTS, ALERT_COLUMNS);

    static {
        for (FamilyTable t : Tables.families()) {
            RAW.put(t.family().name(), new Target(Tables.data(t.table()), names(t.rawColumns())));
            MINUTE.put(t.family().name(), new Target(Tables.data(t.rollupTable(Resolution.MINUTE)),
                    names(t.rollupColumns())));
            HOUR.put(t.family().name(), new Target(Tables.data(t.rollupTable(Resolution.HOUR)),
                    names(t.rollupColumns())));
        }
    }

    /** A table, its column list, and the keys of its straight and staged row buffers in a batch. */
    private record Target(String table, List<String> columns, String straightKey, String stagedKey) {
        Target(String table, List<String> columns) {
            this(table, columns, table, table + "#staged");
        }
    }

    private final Consumer<String> unknownField;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private long seq;

    /** @param unknownField told the family and name of every rollup key this build has no column for */
    BatchEncoder(Consumer<String> unknownField) {
        this.unknownField = unknownField;
    }

    /**
     * @param stageAll true to send every source through staging tables and ON CONFLICT DO NOTHING (the
     *                 fallback after an unexpected unique violation)
     */
    EncodedBatch encode(List<SinkRecord> records, boolean stageAll) {
        EncodedBatch b = new EncodedBatch();
        List<TableCopy> touched = new ArrayList<>();
        for (SinkRecord r : records) {
            b.nextOffsets.put(r.partition(), r.offset() + 1);
            b.records.merge(r.source(), 1, Integer::sum);
            if (r.refusal() != null) {
                b.rejected.add(new EncodedBatch.Rejected(r, r.refusal().reason(), r.refusal().detail(),
                        r.refusal().sqlState()));
                continue;
            }
            if (r.value() == null) {
                b.skipped++;
                continue;
            }
            boolean staged = stageAll || r.source().staged();
            long id = ++seq;
            touched.clear();
            try {
                switch (r.source()) {
                    case METRICS, LATE -> event(b, (NodeMetrics) r.value(), staged, id, touched, r);
                    case ROLLUP_1M, ROLLUP_1H -> rollup(b, (NodeRollup) r.value(), r.source(), staged, id, touched);
                    case STATUS -> status(b, (NodeStatus) r.value(), staged, id, touched);
                    case ALERTS -> alert(b, (Alert) r.value(), staged, id, touched);
                    default -> throw new IllegalStateException("unhandled source " + r.source());
                }
            } catch (Rejection e) {
                touched.forEach(TableCopy::undo);
                b.rejected.add(new EncodedBatch.Rejected(r, e.reason, e.getMessage(), null));
            } catch (ArithmeticException | ClassCastException | IllegalArgumentException e) {
                touched.forEach(TableCopy::undo);
                b.rejected.add(new EncodedBatch.Rejected(r, "sink-unencodable", e.toString(), null));
            }
        }
        for (TableCopy c : b.copies.values()) {
            c.rows.finish();
        }
        return b;
    }

    private static TableCopy copy(EncodedBatch b, Target target, boolean staged, long id, List<TableCopy> touched) {
        String key = staged ? target.stagedKey() : target.straightKey();
        TableCopy c = b.copies.get(key);
        if (c == null) {
            c = new TableCopy(target.table(), target.columns(), staged);
            b.copies.put(key, c);
        }
        if (c.touch(id)) {
            touched.add(c);
        }
        return c;
    }

    private static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }

    // --- events ------------------------------------------------------------------------------------------

    private void event(EncodedBatch b, NodeMetrics e, boolean staged, long id, List<TableCopy> touched,
                       SinkRecord r) {
        byte[] cluster = e.getCluster().getBytes(StandardCharsets.UTF_8);
        byte[] node = e.getNode().getBytes(StandardCharsets.UTF_8);
        Instant time = e.getEventTime();
        List<String> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        long micros = 0;
        for (CollectorResult c : e.getCollectors()) {
            micros += c.getDurationMicros();
            if (!c.getOk()) {
                failed.add(c.getName());
                if (c.getError() != null) {
                    errors.add(c.getName() + ": " + c.getError());
                }
            }
        }
        copy(b, EVENTS, staged, id, touched).rows.row(NODE_EVENT_COLUMNS.size())
                .utf8(cluster).utf8(node).timestamptz(time).text(e.getBootId()).text(e.getRunId()).int8(e.getSeq())
                .text(e.getKind().name()).int4(e.getIntervalMs()).text(e.getAgentVersion())
                .int4(e.getCollectors().size()).textArray(failed).textArray(errors).int8(micros);
        MetricFamilies.forEach(e, (family, device, record) -> {
            List<Column> cols = Tables.forFamily(family).rawColumns();
            BinaryCopy c = copy(b, RAW.get(family.name()), staged, id, touched).rows;
            c.row(cols.size());
            for (Column col : cols) {
                switch (col.role()) {
                    case CLUSTER -> c.utf8(cluster);
                    case NODE -> c.utf8(node);
                    case DEVICE -> c.text(device);
                    case TIME -> c.timestamptz(time);
                    default -> value(c, col, col.field().value(record));
                }
            }
        });
        long millis = time.toEpochMilli();
        EncodedBatch.NodeKey key = new EncodedBatch.NodeKey(e.getCluster(), e.getNode());
        if (e.getKind() == EventKind.SAMPLE) {
            // a SHUTDOWN event carries no sample: the latest values stay those of the last tick
            b.latest.merge(key, latest(e), (a, n) -> n.timeMillis() >= a.timeMillis() ? n : a);
        }
        EncodedBatch.Seen seen = new EncodedBatch.Seen(millis, millis, e.getBootId(), e.getRunId(), e.getAgentVersion());
        b.seen.merge(key, seen, (a, n) -> n.lastMillis() >= a.lastMillis()
                ? new EncodedBatch.Seen(Math.min(a.firstMillis(), n.firstMillis()), n.lastMillis(), n.bootId(),
                n.runId(), n.agentVersion())
                : new EncodedBatch.Seen(Math.min(a.firstMillis(), n.firstMillis()), a.lastMillis(), a.bootId(),
                a.runId(), a.agentVersion()));
        if (r.source() == Source.LATE) {
            List<Resolution> missed = repairResolutions(r);
            MetricFamilies.forEach(e, (family, device, record) -> {
                for (Resolution res : missed) {
                    b.repairs.add(new EncodedBatch.RepairKey(e.getCluster(), e.getNode(), family.name(), res,
                            res.windowStart(millis)));
                }
            });
        }
    }

    /** The resolutions named by the repair header; 1m alone when it is missing or unreadable. */
    static List<Resolution> repairResolutions(SinkRecord r) {
        Header h = r.raw().headers().lastHeader(RepairHeader.NAME);
        if (h == null || h.value() == null) {
            log.warn("late record {} has no {} header; repairing its 1-minute rollups only", r, RepairHeader.NAME);
            return List.of(Resolution.MINUTE);
        }
        List<Resolution> out = new ArrayList<>();
        for (String part : new String(h.value(), StandardCharsets.UTF_8).split(",")) {
            Resolution res = Resolution.ofSuffix(part);
            if (res != null && !out.contains(res)) {
                out.add(res);
            }
        }
        return out.isEmpty() ? List.of(Resolution.MINUTE) : out;
    }

    private static EncodedBatch.LatestRow latest(NodeMetrics e) {
        Double diskRead = sum(e.getDisks().stream().map(Disk::getReadBytesPerSec));
        Double diskWritten = sum(e.getDisks().stream().map(Disk::getWrittenBytesPerSec));
        Double rx = sum(e.getInterfaces().stream().map(NetInterface::getRxBytesPerSec));
        Double tx = sum(e.getInterfaces().stream().map(NetInterface::getTxBytesPerSec));
        Double fsMax = e.getFilesystems().stream().map(Filesystem::getUsedRatio).filter(v -> v != null)
                .max(Double::compare).orElse(null);
        return new EncodedBatch.LatestRow(e.getEventTime().toEpochMilli(),
                e.getCpu() == null ? null : e.getCpu().getCount(),
                e.getCpu() == null ? null : e.getCpu().getBusyRatio(),
                e.getMemory() == null ? null : e.getMemory().getTotalBytes(),
                e.getMemory() == null ? null : e.getMemory().getUsedBytes(),
                e.getMemory() == null ? null : e.getMemory().getAvailableBytes(),
                e.getLoad() == null ? null : e.getLoad().getLoad1(),
                diskRead, diskWritten, rx, tx, fsMax, e.getPods().size());
    }

    private static Double sum(Stream<Double> values) {
        List<Double> present = values.filter(v -> v != null).toList();
        return present.isEmpty() ? null : present.stream().mapToDouble(Double::doubleValue).sum();
    }

    static void value(BinaryCopy c, Column col, Object v) {
        if (v == null) {
            c.nul();
            return;
        }
        switch (col.type()) {
            case INT4 -> c.int4(((Number) v).intValue());
            case INT8 -> c.int8(((Number) v).longValue());
            case FLOAT8 -> c.float8(((Number) v).doubleValue());
            case BOOL -> c.bool((Boolean) v);
            case TEXT -> c.text(v.toString());
            case TIMESTAMPTZ -> c.timestamptz((Instant) v);
            default -> throw new IllegalStateException("no encoding for " + col);
        }
    }

    // --- rollups -----------------------------------------------------------------------------------------

    private void rollup(EncodedBatch b, NodeRollup r, Source source, boolean staged, long id,
                        List<TableCopy> touched) {
        Resolution res = Resolution.ofSeconds(r.getResolutionSeconds());
        Resolution expected = source == Source.ROLLUP_1M ? Resolution.MINUTE : Resolution.HOUR;
        if (res != expected) {
            throw new Rejection("sink-bad-rollup", "resolutionSeconds " + r.getResolutionSeconds()
                    + " on the " + expected.suffix() + " rollup topic");
        }
        FamilyTable t = Tables.forFamily(r.getFamily());
        if (t == null) {
            throw new Rejection("sink-bad-rollup", "unknown family '" + r.getFamily() + "'; this build knows "
                    + Tables.families().stream().map(f -> f.family().name()).collect(Collectors.joining(", ")));
        }
        long start = r.getWindowStart().toEpochMilli();
        if (r.getWindowEnd().toEpochMilli() - start != res.seconds() * 1000L || res.windowStart(start) != start) {
            throw new Rejection("sink-bad-rollup", "window [" + r.getWindowStart() + ", " + r.getWindowEnd()
                    + ") is not an aligned " + res.suffix() + " window");
        }
        if (t.family().perDevice() == r.getDevice().isEmpty()) {
            throw new Rejection("sink-bad-rollup", t.family().perDevice()
                    ? "family " + r.getFamily() + " needs a device" : "family " + r.getFamily() + " has no device");
        }
        checkKnown(t, r.getStats().keySet(), MetricKind.GAUGE, MetricKind.RATE);
        checkKnown(t, r.getCounters().keySet(), MetricKind.COUNTER);
        checkKnown(t, r.getAttributes().keySet(), MetricKind.ATTRIBUTE);
        List<Column> cols = t.rollupColumns();
        BinaryCopy c = copy(b, (res == Resolution.MINUTE ? MINUTE : HOUR).get(t.family().name()), staged, id,
                touched).rows;
        c.row(cols.size());
        for (Column col : cols) {
            MetricField f = col.field();
            switch (col.role()) {
                case CLUSTER -> c.text(r.getCluster());
                case NODE -> c.text(r.getNode());
                case DEVICE -> c.text(r.getDevice());
                case BUCKET -> c.timestamptz(r.getWindowStart());
                case SAMPLES -> c.int4(r.getSamples());
                case LAST_EVENT_TIME -> c.timestamptz(r.getLastEventTime());
                case MIN, MAX, SUM, COUNT -> {
                    Stat s = r.getStats().get(f.name());
                    if (s == null) {
                        c.nul();
                    } else if (col.role() == Column.Role.COUNT) {
                        c.int8(s.getCount());
                    } else {
                        c.float8(col.role() == Column.Role.MIN ? s.getMin()
                                : col.role() == Column.Role.MAX ? s.getMax() : s.getSum());
                    }
                }
                case FIRST -> {
                    CounterSpan s = r.getCounters().get(f.name());
                    if (s == null) {
                        c.nul();
                    } else {
                        c.float8(s.getFirst());
                    }
                }
                case LAST -> {
                    Double v;
                    if (f.kind() == MetricKind.COUNTER) {
                        CounterSpan s = r.getCounters().get(f.name());
                        v = s == null ? null : s.getLast();
                    } else {
                        Stat s = r.getStats().get(f.name());
                        v = s == null ? null : s.getLast();
                    }
                    if (v == null) {
                        c.nul();
                    } else {
                        c.float8(v);
                    }
                }
                case ATTRIBUTE -> c.text(r.getAttributes().get(f.name()));
                default -> throw new IllegalStateException("unhandled rollup column " + col);
            }
        }
    }

    private void checkKnown(FamilyTable t, Set<String> keys, MetricKind... kinds) {
        for (String k : keys) {
            boolean known = t.family().fields().stream()
                    .anyMatch(f -> f.name().equals(k) && List.of(kinds).contains(f.kind()));
            if (!known) {
                String name = t.family().name() + "." + k;
                unknownField.accept(name);
                if (warned.add(name)) {
                    log.warn("rollup field {} has no column in this build's schema; its values are not stored "
                            + "(a newer processor wrote it: upgrade this one)", name);
                }
            }
        }
    }

    // --- status and alerts -------------------------------------------------------------------------------

    private static void status(EncodedBatch b, NodeStatus s, boolean staged, long id, List<TableCopy> touched) {
        copy(b, STATUS, staged, id, touched).rows
                .row(NODE_STATUS_COLUMNS.size()).text(s.getCluster()).text(s.getNode()).timestamptz(s.getSince())
                .text(s.getState().name()).text(s.getPreviousState().name()).timestamptz(s.getLastSeen())
                .text(s.getBootId()).text(s.getRunId()).bool(s.getReboot()).text(s.getReason());
        EncodedBatch.StatusRow row = new EncodedBatch.StatusRow(s.getState().name(), s.getSince().toEpochMilli(),
                s.getLastSeen().toEpochMilli(), s.getReason(), s.getBootId(), s.getRunId());
        b.statuses.merge(new EncodedBatch.NodeKey(s.getCluster(), s.getNode()), row,
                (a, n) -> n.sinceMillis() >= a.sinceMillis() ? n : a);
    }

    private static void alert(EncodedBatch b, Alert a, boolean staged, long id, List<TableCopy> touched) {
        String labels;
        try {
            labels = JSON.writeValueAsString(new TreeMap<>(a.getLabels()));
        } catch (JsonProcessingException e) {
            throw new Rejection("sink-unencodable", "labels are not representable as JSON: " + e.getMessage());
        }
        BinaryCopy c = copy(b, ALERTS, staged, id, touched).rows;
        c.row(ALERT_COLUMNS.size()).text(a.getCluster()).text(a.getNode()).timestamptz(a.getAt()).text(a.getRule())
                .text(a.getDevice() == null ? "" : a.getDevice()).text(a.getSeverity()).text(a.getState().name());
        if (a.getValue() == null) {
            c.nul();
        } else {
            c.float8(a.getValue());
        }
        if (a.getThreshold() == null) {
            c.nul();
        } else {
            c.float8(a.getThreshold());
        }
        c.timestamptz(a.getSince()).text(a.getSummary()).jsonb(labels);
    }

    /** A record refused before it reaches the database. */
    static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String reason;

        Rejection(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}
