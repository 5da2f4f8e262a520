package io.nodepulse.agent.encode;

import io.nodepulse.agent.spool.SpoolEvent;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.wire.AvroSerde;
import io.nodepulse.wire.SchemaCatalog;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns an event into what the spool and Kafka carry: key = node name (UTF-8), value = Avro single-object
 * encoding of the agent's writer schema.
 */
public final class EventEncoder {
    private final AvroSerde<NodeMetrics> serde =
            new AvroSerde<>(NodeMetrics.class, NodeMetrics.getClassSchema(), SchemaCatalog.bundledOnly());
    private final String topic;

    public EventEncoder(String topic) {
        this.topic = topic;
    }

    public SpoolEvent encode(NodeMetrics event) {
        return new SpoolEvent(UUID.fromString(event.getRunId()), event.getSeq(),
                event.getNode().getBytes(StandardCharsets.UTF_8), serde.serialize(topic, event));
    }

    /** Decodes a value written by {@link #encode}; for tests and tools. */
    public NodeMetrics decode(byte[] value) {
        return serde.deserialize(topic, value);
    }
}
