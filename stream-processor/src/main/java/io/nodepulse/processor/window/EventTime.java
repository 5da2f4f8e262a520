package io.nodepulse.processor.window;

import io.nodepulse.processor.validate.Checked;
import io.nodepulse.processor.validate.Verdict;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Stamps a record with its event's time just before a window, which assigns records by timestamp; a stream-time
 * tick keeps its own timestamp. An event further ahead of the wall clock than {@link RollupWindows#capped} allows
 * (a node whose clock runs ahead) is stamped at that bound instead, so it cannot close other nodes' windows
 * early; it is rolled up in the window of the bound.
 */
public final class EventTime<V> implements FixedKeyProcessor<byte[], Checked, V> {
    private final RollupWindows windows;
    private final Function<Checked, V> value;
    private FixedKeyProcessorContext<byte[], V> context;

    public EventTime(RollupWindows windows, Function<Checked, V> value) {
        this.windows = windows;
        this.value = value;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], Checked> record) {
        Checked c = record.value();
        long t = c.verdict() == Verdict.TICK ? record.timestamp()
                : windows.capped(c.event().getEventTime().toEpochMilli(), context.currentSystemTimeMs());
        context.forward(record.withValue(value.apply(c)).withTimestamp(t));
    }
}
