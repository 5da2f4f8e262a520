package io.nodepulse.processor.dedup;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.Verdict;
import io.nodepulse.processor.window.RollupWindows;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.topic.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Drops re-sent events and decides whether a new event is on time or late.
 * <ul>
 *   <li>{@value #SEEN_STORE}: a window store used as a set of (cluster/node, event time) with retention
 *       {@link RollupWindows#dedupRetention()}. An event found there is a duplicate.</li>
 *   <li>{@value #STREAM_TIME_STORE}: this partition's stream time, the greatest event time of the on-time
 *       events, kept so the lateness rule survives restarts. The rollup application's windows read these
 *       events from metrics.valid in the same order, so their stream time never runs ahead of this one.</li>
 * </ul>
 * An event older than the seen-set's memory (stream time minus the retention) is late for both resolutions
 * anyway: it takes the late path without a lookup, and the sink's ON CONFLICT drops it if it is a copy.
 */
public final class DedupProcessor implements FixedKeyProcessor<byte[], Checked, Checked> {
    public static final String SEEN_STORE = "dedup-seen-store";
    public static final String STREAM_TIME_STORE = "dedup-stream-time-store";
    private static final String STREAM_TIME_KEY = "stream-time";
    private static final byte[] SEEN = new byte[] {1};

    private final RollupWindows windows;
    private final PipelineMetrics metrics;
    private final long retentionMs;
    private FixedKeyProcessorContext<byte[], Checked> context;
    private WindowStore<String, byte[]> seen;
    private KeyValueStore<String, Long> streamTimeStore;
    private long streamTime = Long.MIN_VALUE;

    /** The seen-set: (cluster/node) at event time, remembered for {@link RollupWindows#dedupRetention()}. */
    public static StoreBuilder<WindowStore<String, byte[]>> seenStore(RollupWindows windows) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(SEEN_STORE, windows.dedupRetention(),
                Duration.ofMillis(1), false), Serdes.String(), Serdes.ByteArray());
    }

    /** One entry per task: the partition's stream time. */
    public static StoreBuilder<KeyValueStore<String, Long>> streamTimeStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STREAM_TIME_STORE), Serdes.String(),
                Serdes.Long());
    }

    public DedupProcessor(RollupWindows windows, PipelineMetrics metrics) {
        this.windows = windows;
        this.metrics = metrics;
        this.retentionMs = windows.dedupRetention().toMillis();
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
        this.seen = context.getStateStore(SEEN_STORE);
        this.streamTimeStore = context.getStateStore(STREAM_TIME_STORE);
        Long stored = streamTimeStore.get(STREAM_TIME_KEY);
        streamTime = stored == null ? Long.MIN_VALUE : stored;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Checked> record) {
        Checked c = record.value();
        if (c.verdict() != Verdict.ON_TIME) {
            context.forward(record);
            return;
        }
        NodeMetrics e = c.event();
        long t = e.getEventTime().toEpochMilli();
        String nodeKey = Topics.nodeKey(e.getCluster(), e.getNode());
        if (streamTime != Long.MIN_VALUE && t < streamTime - retentionMs) {
            late(record, c, true);
            return;
        }
        if (seen.fetch(nodeKey, t) != null) {
            metrics.events.inc("duplicate");
            metrics.duplicates.inc();
            context.forward(record.withValue(c.with(Verdict.DUPLICATE, false)));
            return;
        }
        seen.put(nodeKey, SEEN, t);
        if (streamTime != Long.MIN_VALUE && windows.lateFor1m(t, streamTime)) {
            late(record, c, windows.lateFor1h(t, streamTime));
            return;
        }
        long counted = windows.capped(t, context.currentSystemTimeMs());
        if (counted > streamTime) {
            streamTime = counted;
            streamTimeStore.put(STREAM_TIME_KEY, counted);
        }
        metrics.events.inc("on_time");
        context.forward(record);
    }

    private void late(FixedKeyRecord<byte[], Checked> record, Checked c, boolean late1h) {
        Checked out = c.with(Verdict.LATE, late1h);
        metrics.events.inc("late");
        metrics.late.inc(out.repair());
        context.forward(record.withValue(out));
    }
}
