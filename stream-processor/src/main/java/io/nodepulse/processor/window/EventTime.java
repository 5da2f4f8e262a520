package io.nodepulse.processor.window;

import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.Verdict;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Stamps a record with its event's time just before a window, which assigns records by timestamp; a stream-time
 * tick keeps its own timestamp. Records from metrics.valid and late already carry the event time (ingest stamps
 * them), so this step states what the windows rely on rather than changing it.
 */
public final class EventTime<V> implements FixedKeyProcessor<byte[], Checked, V> {
    private final Function<Checked, V> value;
    private FixedKeyProcessorContext<byte[], V> context;

    public EventTime(Function<Checked, V> value) {
        this.value = value;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Checked> record) {
        Checked c = record.value();
        long t = c.verdict() == Verdict.TICK ? record.timestamp() : c.event().getEventTime().toEpochMilli();
        context.forward(record.withValue(value.apply(c)).withTimestamp(t));
    }
}
