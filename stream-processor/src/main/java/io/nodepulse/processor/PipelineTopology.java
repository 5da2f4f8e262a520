package io.nodepulse.processor;

import io.nodepulse.processor.alert.AlertEvaluator;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.processor.dedup.DedupProcessor;
import io.nodepulse.processor.liveness.LivenessProcessor;
import io.nodepulse.processor.liveness.LivenessSettings;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.RepairHeader;
import io.nodepulse.processor.validate.ValidateProcessor;
import io.nodepulse.processor.validate.Validator;
import io.nodepulse.processor.validate.Verdict;
import io.nodepulse.processor.window.AccumulatorSerde;
import io.nodepulse.processor.window.ClosedWindow;
import io.nodepulse.processor.window.EventTime;
import io.nodepulse.processor.window.RollupAccumulator;
import io.nodepulse.processor.window.RollupWindows;
import io.nodepulse.processor.window.DecodeAccepted;
import io.nodepulse.processor.window.LateIntoOpenHour;
import io.nodepulse.processor.window.StreamTimeTicks;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The processor's two Kafka Streams topologies, built by pure factories that the application and the tests share.
 * They run as two Streams applications ({@link PipelineStreams}), each with its own threads and transactions,
 * so closing a minute's windows (a burst of rollups for every node) never holds back raw events.
 * <pre>
 * ingest:
 * metrics (bytes) ─ validate ─ dedup ─┬─ rejected ─────────────────▶ dlq (original bytes + headers)
 *                                     ├─ on-time ──────────────────▶ metrics.valid (original bytes)
 *                                     ├─ late ─ repair header ─────▶ late
 *                                     └─ on-time + late ─ liveness ─┬▶ node-status
 *                                                                   └▶ alerts (node-down)
 * rollup (application id + {@value #ROLLUP_APP_SUFFIX}):
 * metrics.valid ─ decode ─ ticks ─ 1m window ─┬─ rollups ──────────▶ rollup.1m
 *                                             ├─ alert rules ──────▶ alerts
 *                                             └─┐
 * late ─ (1h still open) ─ decode ──────────────┴─ 1h window ──────▶ rollup.1h
 * </pre>
 * The rollup application reads metrics.valid in the order ingest wrote it, partition by partition (same key,
 * same partition count), so its windows' stream time never runs ahead of the dedup step's: an event ingest
 * calls on time is never dropped by a window as late.
 * <p>
 * The window stores have the record cache disabled: a node's accumulator is updated once per interval, so
 * the cache would rarely merge two writes, and its iterator walks the time range from the epoch on the first
 * emission of a fresh task.
 * <p>
 * When stream time jumps, the tick step sends one tick per minute of the jump into the 1-minute windows
 * (an empty window of the same node), so every window is emitted before its store segment expires; the empty
 * windows also carry stream time on to the 1-hour windows, minute by minute, and produce no rollup.
 * <p>
 * The 1-hour windows are fed from closed 1-minute windows (one merge per node and minute instead of one
 * update per event), plus the late events whose hour is still open; that hop is the one repartition topic.
 */
public final class PipelineTopology {
    public static final String ROLLUP_1M_STORE = "rollup-1m-store";
    public static final String ROLLUP_1H_STORE = "rollup-1h-store";
    /** Name of the repartition step before the 1-hour windows (topic {@code <application.id>-rollup-1h-repartition}). */
    public static final String ROLLUP_1H_GROUP = "rollup-1h";
    /** The rollup application's id is the processor's application id plus this suffix. */
    public static final String ROLLUP_APP_SUFFIX = "-rollup";

    /**
     * What the topology needs to know.
     *
     * @param windows        grace periods and lateness rule
     * @param maxFutureSkew  events further ahead of the processor's clock are rejected
     * @param maxAge         events further behind the processor's clock are rejected
     * @param ratioTolerance how far beyond 1 (and 100 %) a ratio (a percentage) may go before it is rejected
     * @param liveness       liveness thresholds
     */
    public record Settings(RollupWindows windows, Duration maxFutureSkew, Duration maxAge, double ratioTolerance,
                           LivenessSettings liveness) {
        public static Settings defaults() {
            return new Settings(new RollupWindows(Duration.ofSeconds(30), Duration.ofMinutes(5)),
                    Duration.ofMinutes(5), Duration.ofDays(7), 0.05, LivenessSettings.defaults());
        }
    }

    private PipelineTopology() {
    }

    /**
     * Streams settings the topology relies on: emit closed windows on every record rather than at most once per
     * second of wall-clock time, so the 1-minute windows reach the 1-hour windows in event-time order (the
     * lateness rule depends on it), and every internal topic and store named explicitly.
     */
    public static Map<String, Object> requiredStreamsConfig() {
        return Map.of(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L,
                StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    }

    /** Validation, deduplication, the late path and liveness: everything a raw event waits for. */
    public static Topology buildIngest(Settings settings, Topics topics, WireSerdes serdes, AlertRules rules,
                                       PipelineMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<byte[]> bytes = Serdes.ByteArray();
        Serde<String> strings = Serdes.String();
        RollupWindows windows = settings.windows();
        Validator validator = new Validator(settings.maxFutureSkew(), settings.maxAge(), settings.ratioTolerance());

        builder.addStateStore(DedupProcessor.seenStore(windows));
        builder.addStateStore(DedupProcessor.streamTimeStore());
        builder.addStateStore(LivenessProcessor.store());

        KStream<byte[], Checked> checked = builder
                .stream(topics.metrics().name(), Consumed.with(bytes, bytes).withName("metrics-source"))
                .processValues(() -> new ValidateProcessor(serdes.nodeMetrics(), validator, metrics),
                        Named.as("validate"))
                .processValues(() -> new DedupProcessor(windows, metrics), Named.as("dedup"),
                        DedupProcessor.SEEN_STORE, DedupProcessor.STREAM_TIME_STORE);

        checked.filter((k, c) -> c.is(Verdict.REJECTED), Named.as("rejected"))
                .mapValues(Checked::raw, Named.as("rejected-bytes"))
                .to(topics.dlq().name(), Produced.with(bytes, bytes).withName("dlq-sink"));

        checked.filter((k, c) -> c.is(Verdict.ON_TIME), Named.as("on-time"))
                .mapValues(Checked::raw, Named.as("on-time-bytes"))
                .to(topics.metricsValid().name(), Produced.with(bytes, bytes).withName("metrics-valid-sink"));

        checked.filter((k, c) -> c.is(Verdict.LATE), Named.as("late"))
                .processValues(RepairHeader::new, Named.as("late-repair-header"))
                .to(topics.late().name(), Produced.with(bytes, bytes).withName("late-sink"));

        KStream<String, SpecificRecord> liveness = checked
                .filter((k, c) -> c.is(Verdict.ON_TIME) || c.is(Verdict.LATE), Named.as("accepted"))
                .process(() -> new LivenessProcessor(settings.liveness(), rules.nodeDown(), metrics),
                        Named.as("liveness"), LivenessProcessor.STORE);
        liveness.split(Named.as("liveness-output-"))
                .branch((k, v) -> v instanceof NodeStatus, Branched.withConsumer(s -> s
                        .mapValues(v -> (NodeStatus) v, Named.as("liveness-status-value"))
                        .to(topics.nodeStatus().name(), Produced.with(strings, serdes.nodeStatus())
                                .withName("node-status-sink")), "status"))
                .branch((k, v) -> v instanceof Alert, Branched.withConsumer(s -> s
                        .mapValues(v -> (Alert) v, Named.as("liveness-alert-value"))
                        .to(topics.alerts().name(), Produced.with(strings, serdes.alert())
                                .withName("node-down-alerts-sink")), "alert"))
                .noDefaultBranch();
        return builder.build();
    }

    /** The 1-minute and 1-hour windows and the metric alert rules, fed by what ingest wrote. */
    public static Topology buildRollup(Settings settings, Topics topics, WireSerdes serdes, AlertRules rules,
                                       PipelineMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<byte[]> bytes = Serdes.ByteArray();
        Serde<String> strings = Serdes.String();
        AccumulatorSerde accSerde = new AccumulatorSerde();
        RollupWindows windows = settings.windows();

        builder.addStateStore(StreamTimeTicks.store());
        builder.addStateStore(AlertEvaluator.store());

        KStream<Windowed<byte[]>, RollupAccumulator> closed1m = builder
                .stream(topics.metricsValid().name(), Consumed.with(bytes, bytes).withName("metrics-valid-source"))
                .processValues(() -> new DecodeAccepted(serdes.nodeMetrics(), metrics), Named.as("decode-valid"))
                .processValues(() -> new StreamTimeTicks(windows), Named.as("ticks"), StreamTimeTicks.STORE)
                .processValues(() -> new EventTime<NodeMetrics>(windows,
                        c -> c.is(Verdict.TICK) ? RollupAccumulator.TICK : c.event()), Named.as("rollup-1m-event-time"))
                .groupByKey(Grouped.with("rollup-1m", bytes, serdes.nodeMetrics()))
                .windowedBy(TimeWindows.ofSizeAndGrace(RollupWindows.ONE_MINUTE, windows.grace1m()))
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(RollupAccumulator::new, (k, e, acc) -> acc.add(e), Named.as("rollup-1m-aggregate"),
                        Materialized.<byte[], RollupAccumulator, WindowStore<Bytes, byte[]>>as(ROLLUP_1M_STORE)
                                .withKeySerde(bytes).withValueSerde(accSerde).withCachingDisabled()
                                .withRetention(windows.storeRetention(RollupWindows.ONE_MINUTE)))
                .toStream(Named.as("rollup-1m-closed"));
        rollups(closed1m, 60, "1m", metrics)
                .to(topics.rollup1m().name(), Produced.with(bytes, serdes.nodeRollup()).withName("rollup-1m-sink"));
        closed1m.process(() -> new AlertEvaluator(rules.metricRules(), metrics), Named.as("alert-rules"),
                        AlertEvaluator.STORE)
                .to(topics.alerts().name(), Produced.with(strings, serdes.alert()).withName("metric-alerts-sink"));

        KStream<byte[], RollupAccumulator> lateInto1h = builder
                .stream(topics.late().name(), Consumed.with(bytes, bytes).withName("late-source"))
                .processValues(() -> new LateIntoOpenHour(serdes.nodeMetrics(), metrics), Named.as("late-open-1h"))
                .processValues(() -> new EventTime<RollupAccumulator>(windows, c -> RollupAccumulator.of(c.event())),
                        Named.as("late-accumulator"));
        KStream<Windowed<byte[]>, RollupAccumulator> closed1h = closed1m
                .process(ClosedWindow::new, Named.as("rollup-1m-to-1h"))
                .merge(lateInto1h, Named.as("rollup-1h-input"))
                .groupByKey(Grouped.with(ROLLUP_1H_GROUP, bytes, accSerde))
                .windowedBy(TimeWindows.ofSizeAndGrace(RollupWindows.ONE_HOUR, windows.grace1h()))
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(RollupAccumulator::new, (k, part, acc) -> acc.merge(part),
                        Named.as("rollup-1h-aggregate"),
                        Materialized.<byte[], RollupAccumulator, WindowStore<Bytes, byte[]>>as(ROLLUP_1H_STORE)
                                .withKeySerde(bytes).withValueSerde(accSerde).withCachingDisabled()
                                .withRetention(windows.storeRetention(RollupWindows.ONE_HOUR)))
                .toStream(Named.as("rollup-1h-closed"));
        rollups(closed1h, 3600, "1h", metrics)
                .to(topics.rollup1h().name(), Produced.with(bytes, serdes.nodeRollup()).withName("rollup-1h-sink"));
        return builder.build();
    }

    private static KStream<byte[], NodeRollup> rollups(KStream<Windowed<byte[]>, RollupAccumulator> closed,
                                                       int seconds, String resolution, PipelineMetrics metrics) {
        return closed.flatMap((wk, acc) -> {
            if (acc.isEmpty()) {
                return List.<KeyValue<byte[], NodeRollup>>of();
            }
            String node = new String(wk.key(), java.nio.charset.StandardCharsets.UTF_8);
            List<NodeRollup> rollups = acc.toRollups(node, seconds, wk.window().start(), wk.window().end());
            List<KeyValue<byte[], NodeRollup>> out = new ArrayList<>(rollups.size());
            for (NodeRollup r : rollups) {
                out.add(KeyValue.pair(wk.key(), r));
            }
            metrics.windowsEmitted.inc(resolution);
            metrics.rollups.add(rollups.size(), resolution);
            return out;
        }, Named.as("rollup-" + resolution + "-records"));
    }
}
