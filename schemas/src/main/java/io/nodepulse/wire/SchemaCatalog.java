package io.nodepulse.wire;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Resolves writer schemas by fingerprint for single-object decoding: first what it has seen, then the bundled
 * history (no broker needed), then the schemas topic (re-read on a miss). A fingerprint found nowhere is
 * remembered for a few seconds, so a stream of poison records does not re-read the topic for every record;
 * at most {@value #MAX_MISSES} misses are remembered, so random fingerprints cannot fill the heap.
 */
public final class SchemaCatalog implements SchemaStore, AutoCloseable {
    private static final long NEGATIVE_TTL_MS = 5_000;
    static final int MAX_MISSES = 10_000;

    private final ConcurrentMap<Long, Schema> known = new ConcurrentHashMap<>();
    private final Map<Long, Schema> bundled = new HashMap<>();
    private final ConcurrentMap<Long, Long> misses = new ConcurrentHashMap<>();
    private final Object refreshLock = new Object();
    private final SchemaSource source;
    private final Clock clock;

    private SchemaCatalog(SchemaHistory history, SchemaSource source, Clock clock) {
        for (Schema s : history.all()) {
            bundled.put(Fingerprints.of(s), s);
        }
        this.source = source;
        this.clock = clock;
    }

    /** A catalog that knows only the bundled history; for tests and tools without a broker. */
    public static SchemaCatalog bundledOnly() {
        return new SchemaCatalog(SchemaHistory.bundled(), null, Clock.systemUTC());
    }

    /** A catalog that also reads the schemas topic (or another source) when it meets an unknown fingerprint. */
    public static SchemaCatalog withSource(SchemaSource source) {
        return new SchemaCatalog(SchemaHistory.bundled(), source, Clock.systemUTC());
    }

    static SchemaCatalog forTest(SchemaHistory history, SchemaSource source, Clock clock) {
        return new SchemaCatalog(history, source, clock);
    }

    /** Makes a schema known without consulting any source, e.g. the reader's own. */
    public void add(Schema schema) {
        known.put(Fingerprints.of(schema), schema);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        Schema schema = known.get(fingerprint);
        if (schema != null) {
            return schema;
        }
        schema = bundled.get(fingerprint);
        if (schema != null) {
            known.put(fingerprint, schema);
            return schema;
        }
        if (source == null || recentlyMissed(fingerprint)) {
            return null;
        }
        // one refresh at a time; a thread that waited finds what the refresh before it found, or its miss
        synchronized (refreshLock) {
            schema = known.get(fingerprint);
            if (schema != null) {
                return schema;
            }
            if (recentlyMissed(fingerprint)) {
                return null;
            }
            try {
                known.putAll(source.refresh());
            } catch (RuntimeException e) {
                // timed from the end of the refresh, which can block for the whole Kafka timeout: an unreadable
                // topic is not asked again for every record
                miss(fingerprint, clock.millis());
                throw e;
            }
            schema = known.get(fingerprint);
            if (schema != null) {
                misses.remove(fingerprint);
                return schema;
            }
            miss(fingerprint, clock.millis());
            return null;
        }
    }

    private boolean recentlyMissed(long fingerprint) {
        Long missedAt = misses.get(fingerprint);
        return missedAt != null && clock.millis() - missedAt < NEGATIVE_TTL_MS;
    }

    private void miss(long fingerprint, long now) {
        if (misses.size() >= MAX_MISSES) {
            misses.values().removeIf(at -> now - at >= NEGATIVE_TTL_MS);
            if (misses.size() >= MAX_MISSES) {
                misses.clear();
            }
        }
        misses.put(fingerprint, now);
    }

    /** Misses remembered now; for tests. */
    int rememberedMisses() {
        return misses.size();
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
