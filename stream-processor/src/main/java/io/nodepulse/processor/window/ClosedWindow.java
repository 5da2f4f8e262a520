package io.nodepulse.processor.window;

import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a closed 1-minute window into an input of the 1-hour window: keyed by node again and stamped with the
 * minute's start, so it lands in the hour that contains the minute.
 */
public final class ClosedWindow implements Processor<Windowed<byte[]>, RollupAccumulator, byte[], RollupAccumulator> {
    private ProcessorContext<byte[], RollupAccumulator> context;

    @Override
    public void init(ProcessorContext<byte[], RollupAccumulator> context) {
        this.context = context;
    }

    @Override
    public void process(Record<Windowed<byte[]>, RollupAccumulator> record) {
        context.forward(record.withKey(record.key().key()).withTimestamp(record.key().window().start()));
    }
}
