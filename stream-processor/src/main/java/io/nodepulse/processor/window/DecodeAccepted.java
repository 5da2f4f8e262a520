package io.nodepulse.processor.window;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.DlqHeaders;
import io.nodepulse.schema.NodeMetrics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes an event that ingest already accepted (metrics.valid) for the windows. Ingest decoded the same bytes
 * with the same schemas, so a failure here means the schemas topic lost a schema: the record is logged,
 * counted and left out of the rollups (the sink sends it to the dead-letter topic with the reason).
 */
public final class DecodeAccepted implements FixedKeyProcessor<byte[], byte[], Checked> {
    private static final Logger log = LoggerFactory.getLogger(DecodeAccepted.class);

    private final Serde<NodeMetrics> serde;
    private final PipelineMetrics metrics;
    private FixedKeyProcessorContext<byte[], Checked> context;

    public DecodeAccepted(Serde<NodeMetrics> serde, PipelineMetrics metrics) {
        this.serde = serde;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        NodeMetrics event = decode(record);
        if (event != null) {
            context.forward(record.withValue(Checked.accepted(record.value(), event)));
        }
    }

    NodeMetrics decode(FixedKeyRecord<byte[], byte[]> record) {
        try {
            return serde.deserializer().deserialize(context.recordMetadata().map(m -> m.topic()).orElse(""),
                    record.value());
        } catch (RuntimeException e) {
            String origin = DlqHeaders.describe(context.recordMetadata());
            log.error("cannot decode {} for the rollups ({}); it is left out of them. Check that the schemas topic "
                    + "still holds every writer schema", origin, e.toString());
            metrics.rollupSkipped.inc();
            return null;
        }
    }
}
