package io.nodepulse.processor.window;

import io.nodepulse.processor.validate.Checked;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Keeps the windows' stream time moving in steps of at most a minute. When an event jumps stream time by more
 * than a minute, this step first sends a tick (an empty window of the same node) for every minute in between,
 * so each window is emitted by a record less than a minute after it closes, while its store segment is still
 * retained (the window store drops expired segments on a write, before it emits).
 * <p>
 * {@value #STORE}: this partition's stream time, the greatest event time seen (as {@link RollupWindows#capped}
 * counts it), kept so a restart after an outage still ticks through the gap.
 */
public final class StreamTimeTicks implements FixedKeyProcessor<byte[], Checked, Checked> {
    public static final String STORE = "rollup-stream-time-store";
    /** Largest stream-time step the windows see; the window stores retain this much extra (twice). */
    public static final long TICK_STEP_MS = 60_000;
    private static final String KEY = "stream-time";

    private final RollupWindows windows;
    private FixedKeyProcessorContext<byte[], Checked> context;
    private KeyValueStore<String, Long> store;
    private long streamTime = Long.MIN_VALUE;

    public StreamTimeTicks(RollupWindows windows) {
        this.windows = windows;
    }

    public static StoreBuilder<KeyValueStore<String, Long>> store() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long());
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        Long stored = store.get(KEY);
        streamTime = stored == null ? Long.MIN_VALUE : stored;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Checked> record) {
        long t = windows.capped(record.value().event().getEventTime().toEpochMilli(), context.currentSystemTimeMs());
        if (t > streamTime) {
            if (streamTime != Long.MIN_VALUE) {
                for (long tau = streamTime + TICK_STEP_MS; tau < t; tau += TICK_STEP_MS) {
                    context.forward(record.withValue(Checked.tick()).withTimestamp(tau));
                }
            }
            streamTime = t;
            store.put(KEY, t);
        }
        context.forward(record);
    }
}
