package io.nodepulse.wire;

import java.util.Map;
import org.apache.avro.Schema;

/** A place writer schemas are published, such as the compacted schemas topic. */
public interface SchemaSource extends AutoCloseable {
    /**
     * Reads what was published since the last call and returns every schema known so far, by fingerprint.
     *
     * @throws WireFormatException of kind UNKNOWN_FINGERPRINT when the source cannot be read right now
     */
    Map<Long, Schema> refresh();

    @Override
    default void close() {
    }
}
