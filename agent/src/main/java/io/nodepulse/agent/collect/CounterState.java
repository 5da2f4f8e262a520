package io.nodepulse.agent.collect;

import java.util.HashMap;
import java.util.Map;

/**
 * The previous counter readings of one collector, keyed by device (disk, interface, pod, core, or a single
 * key for node-wide counters), with the monotonic time each was read at. A key not updated during a pass
 * (a device that went away) is dropped at {@link #end()}, so a device that comes back starts afresh.
 */
final class CounterState<K> {
    private static final class Entry {
        long nanos;
        long[] values;
        long pass;
    }

    private final Map<K, Entry> entries = new HashMap<>();
    private long pass;

    /** Starts a pass over the current devices. */
    void begin() {
        pass++;
    }

    /**
     * Stores this reading and returns the change since the previous reading of {@code key}, or null when there
     * is none (first sample, new device, after {@link #clear()}).
     */
    Delta update(K key, long nanos, long[] values) {
        Entry e = entries.get(key);
        Delta d = null;
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
        } else if (e.values.length == values.length && nanos > e.nanos) {
            d = new Delta((nanos - e.nanos) / 1e9, e.values, values);
        }
        e.nanos = nanos;
        e.values = values;
        e.pass = pass;
        return d;
    }

    /** Drops the keys not updated since {@link #begin()}. */
    void end() {
        entries.values().removeIf(e -> e.pass != pass);
    }

    void clear() {
        entries.clear();
    }
}
