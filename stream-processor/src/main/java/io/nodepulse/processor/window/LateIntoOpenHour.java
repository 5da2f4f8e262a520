package io.nodepulse.processor.window;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.RepairHeader;
import io.nodepulse.schema.NodeMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Passes on the late events whose 1-hour window is still open (repair header {@code 1m}: only the minute was
 * missed), decoded, so the hour still counts them; the others are repaired from raw rows by the sink alone.
 */
public final class LateIntoOpenHour implements FixedKeyProcessor<byte[], byte[], Checked> {
    private final DecodeAccepted decoder;
    private FixedKeyProcessorContext<byte[], Checked> context;

    public LateIntoOpenHour(Serde<NodeMetrics> serde, PipelineMetrics metrics) {
        this.decoder = new DecodeAccepted(serde, metrics);
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
        decoder.init(context);
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        Header repair = record.headers().lastHeader(RepairHeader.NAME);
        if (repair == null || !RepairHeader.MINUTE_ONLY.equals(new String(repair.value(), StandardCharsets.UTF_8))) {
            return;
        }
        NodeMetrics event = decoder.decode(record);
        if (event != null) {
            context.forward(record.withValue(Checked.accepted(record.value(), event)));
        }
    }
}
