package io.nodepulse.processor.validate;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Gives a late event its {@value #NAME} header, {@code 1m} or {@code 1m,1h}: the resolutions whose Streams
 * windows closed without it, which the sink recomputes from raw rows. The value leaves as the original bytes.
 */
public final class RepairHeader implements FixedKeyProcessor<byte[], Checked, byte[]> {
    public static final String NAME = "nodepulse.repair";
    /** Header value of a late event whose 1-hour window was still open. */
    public static final String MINUTE_ONLY = "1m";
    /** Header value of a late event that missed both windows. */
    public static final String MINUTE_AND_HOUR = "1m,1h";
    private FixedKeyProcessorContext<byte[], byte[]> context;

    @Override
    public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Checked> record) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.remove(NAME);
        headers.add(NAME, record.value().repair().getBytes(StandardCharsets.UTF_8));
        context.forward(record.withValue(record.value().raw()).withHeaders(headers));
    }
}
