package io.nodepulse.processor.window;

import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.Verdict;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Stamps a record (or a stream-time tick, which keeps its own timestamp) with its event's time before a window, which assigns records by timestamp. Outputs keep the
 * arrival timestamp, so topic retention counts from arrival and a replayed backlog is not deleted on arrival.
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
