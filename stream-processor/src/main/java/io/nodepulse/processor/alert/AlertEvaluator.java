package io.nodepulse.processor.alert;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.window.RollupAccumulator;
import io.nodepulse.processor.window.RollupAccumulator.StatView;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import io.nodepulse.topic.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Evaluates the metric rules on every closed 1-minute window of a node. Store {@value #STORE} holds, per
 * (cluster/node, rule, device) with a condition currently true, when the condition began and whether the
 * episode has fired; entries are deleted when the condition clears, so the store holds only open episodes.
 * A window that is missing (no data for a minute) restarts a pending condition; a firing alert stays firing
 * until a window shows the condition false, or until its node or device has sent no data for
 * {@link #STALE_AFTER} of stream time (a node that went silent or was removed, an unmounted filesystem, a
 * deleted pod): a stream-time punctuator then resolves it ("no data") and deletes the entry, so the store
 * holds only live episodes and no alert stays open forever. Stream time stops when the task receives nothing at
 * all (a small cluster whose only node on this partition was switched off), so a wall-clock punctuator counts
 * the time the task has been idle on top of its stream time. An episode of a rule that is no longer configured
 * is resolved and deleted at the next check.
 */
public final class AlertEvaluator implements Processor<Windowed<byte[]>, RollupAccumulator, String, Alert> {
    public static final String STORE = "alert-state-store";
    /** An episode whose node or device reported nothing for this long (event time) is closed. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(10);
    private static final long NONE = Long.MIN_VALUE;

    private final List<AlertRule> rules;
    private final Map<String, AlertRule> byName = new HashMap<>();
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, byte[]> store;
    private long lastRecordWall;

    /** Open episodes keyed by cluster/node, rule and device. */
    public static StoreBuilder<KeyValueStore<String, byte[]>> store() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray());
    }

    public AlertEvaluator(List<AlertRule> rules, PipelineMetrics metrics) {
        this.rules = rules;
        this.metrics = metrics;
        for (AlertRule r : rules) {
            byName.put(r.name(), r);
        }
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.lastRecordWall = context.currentSystemTimeMs();
        context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, this::closeStale);
        context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, this::closeStaleWhileIdle);
    }

    /** While the task receives nothing, its stream time stands still: add the idle wall-clock time to it. */
    private void closeStaleWhileIdle(long now) {
        long idle = now - lastRecordWall;
        long streamTime = context.currentStreamTimeMs();
        if (idle >= STALE_AFTER.toMillis() && streamTime >= 0) {
            closeStale(streamTime + idle);
        }
    }

    /** Resolves and forgets the episodes whose node or device stopped sending data. */
    private void closeStale(long streamTime) {
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                Episode ep = Episode.read(kv.value);
                EpisodeKey key = EpisodeKey.parse(kv.key);
                AlertRule rule = key == null ? null : byName.get(key.rule());
                if (key != null && rule == null) {
                    // the rule was removed or renamed since the episode began: nothing would ever resolve it
                    stale.add(kv.key);
                    if (ep.firing()) {
                        resolveRemoved(key, ep, streamTime);
                    }
                    continue;
                }
                if (streamTime - ep.lastEnd() < STALE_AFTER.toMillis()) {
                    continue;
                }
                stale.add(kv.key);
                if (ep.firing() && rule != null) {
                    emit(rule, key.cluster(), key.node(), key.device(), AlertState.RESOLVED, ep.value(),
                            ep.pendingSince(), streamTime, "no data for " + STALE_AFTER.toMinutes()
                                    + " min (the node or device stopped reporting); ");
                }
            }
        }
        stale.forEach(store::delete);
    }

    /** The store key of an episode: cluster/node, rule and device, NUL-separated. */
    private record EpisodeKey(String cluster, String node, String rule, String device) {
        String text() {
            return Topics.nodeKey(cluster, node) + "\u0000" + rule + "\u0000" + device;
        }

        /** The parts of a stored key, or null for a key of another shape. */
        static EpisodeKey parse(String text) {
            String[] k = text.split("\u0000", -1);
            int slash = k[0].lastIndexOf('/');
            return k.length == 3 && slash > 0
                    ? new EpisodeKey(k[0].substring(0, slash), k[0].substring(slash + 1), k[1], k[2]) : null;
        }
    }

    /** What the store keeps per open episode. Entries written before the value was kept read it as NaN. */
    private record Episode(long pendingSince, long lastEnd, boolean firing, double value) {
        static Episode read(byte[] stored) {
            ByteBuffer b = ByteBuffer.wrap(stored);
            long pending = b.getLong();
            long last = b.getLong();
            boolean firing = b.get() == 1;
            return new Episode(pending, last, firing, b.remaining() >= 8 ? b.getDouble() : Double.NaN);
        }

        byte[] bytes() {
            return ByteBuffer.allocate(25).putLong(pendingSince).putLong(lastEnd).put((byte) (firing ? 1 : 0))
                    .putDouble(value).array();
        }
    }

    /** RESOLVED for an episode whose rule is gone; its severity is no longer known. */
    private void resolveRemoved(EpisodeKey key, Episode ep, long at) {
        Alert alert = Alert.newBuilder().setCluster(key.cluster()).setNode(key.node()).setRule(key.rule())
                .setDevice(key.device().isEmpty() || key.device().equals("null") ? null : key.device())
                .setSeverity("unknown").setState(AlertState.RESOLVED).setValue(ep.value()).setThreshold(null)
                .setSince(Instant.ofEpochMilli(ep.pendingSince())).setAt(Instant.ofEpochMilli(at))
                .setSummary("resolved: rule " + key.rule() + " is no longer configured").setLabels(new HashMap<>())
                .build();
        send(alert);
    }

    @Override
    public void process(Record<Windowed<byte[]>, RollupAccumulator> record) {
        lastRecordWall = context.currentSystemTimeMs();
        String node = new String(record.key().key(), StandardCharsets.UTF_8);
        long start = record.key().window().start();
        long end = record.key().window().end();
        RollupAccumulator acc = record.value();
        for (AlertRule rule : rules) {
            List<StatView> values = acc.stats(rule.family(), rule.field());
            Map<String, StatView> divisors = new HashMap<>();
            if (rule.dividedBy() != null) {
                for (StatView d : acc.stats(rule.family(), rule.dividedBy())) {
                    divisors.put(d.cluster() + "\u0000" + d.device(), d);
                }
            }
            for (StatView v : values) {
                double value = pick(rule.stat(), v);
                if (rule.dividedBy() != null) {
                    StatView d = divisors.get(v.cluster() + "\u0000" + v.device());
                    double div = d == null ? 0 : pick(rule.stat(), d);
                    if (div == 0) {
                        continue;
                    }
                    value = value / div;
                }
                evaluate(rule, v.cluster(), node, v.device(), value, start, end);
            }
        }
    }

    private static double pick(AlertRule.Stat stat, StatView v) {
        return switch (stat) {
            case AVG -> v.avg();
            case MIN -> v.min();
            case MAX -> v.max();
            case LAST -> v.last();
        };
    }

    private void evaluate(AlertRule rule, String cluster, String node, String device, double value, long start,
                          long end) {
        String key = new EpisodeKey(cluster, node, rule.name(), device).text();
        byte[] stored = store.get(key);
        long pendingSince = NONE;
        long lastEnd = NONE;
        boolean firing = false;
        if (stored != null) {
            Episode ep = Episode.read(stored);
            pendingSince = ep.pendingSince();
            lastEnd = ep.lastEnd();
            firing = ep.firing();
        }
        boolean condition = rule.comparator().test(value, rule.threshold());
        if (condition) {
            if (pendingSince == NONE || (!firing && start > lastEnd)) {
                pendingSince = start;
            }
            if (!firing && end - pendingSince >= rule.forDuration().toMillis()) {
                firing = true;
                emit(rule, cluster, node, device, AlertState.FIRING, value, pendingSince, end, "");
            }
            store.put(key, new Episode(pendingSince, end, firing, value).bytes());
        } else if (stored != null) {
            if (firing) {
                emit(rule, cluster, node, device, AlertState.RESOLVED, value, pendingSince, end, "");
            }
            store.delete(key);
        }
    }

    private void emit(AlertRule rule, String cluster, String node, String device, AlertState state, double value,
                      long since, long at, String note) {
        String dev = rule.family().perDevice() ? device : null;
        Alert alert = Alert.newBuilder().setCluster(cluster).setNode(node).setRule(rule.name()).setDevice(dev)
                .setSeverity(rule.severity()).setState(state).setValue(value).setThreshold(rule.threshold())
                .setSince(Instant.ofEpochMilli(since)).setAt(Instant.ofEpochMilli(at))
                .setSummary((state == AlertState.RESOLVED ? "resolved: " : "") + note + rule.render(node, dev, value))
                .setLabels(new HashMap<>(rule.labels())).build();
        send(alert);
    }

    /** Counts an alert and forwards it, keyed by its node and stamped with its time. */
    private void send(Alert alert) {
        metrics.alerts.inc(alert.getRule(), alert.getState().name());
        context.forward(new Record<>(Topics.nodeKey(alert.getCluster(), alert.getNode()), alert,
                alert.getAt().toEpochMilli()));
    }
}
