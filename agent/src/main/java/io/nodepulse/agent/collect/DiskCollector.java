package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.DiskStats;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Block devices from {@code <proc>/diskstats} (not namespaced), minus the devices the exclusion pattern
 * names. The two millisecond counters are 32-bit in the kernel's output and wrap; a wrap is recognised when
 * the wrapped growth is possible in the interval (busy time cannot grow faster than wall time).
 */
final class DiskCollector implements Collector<List<Disk>> {
    private static final int READS = 0;
    private static final int WRITES = 1;
    private static final int READ_SECTORS = 2;
    private static final int WRITE_SECTORS = 3;
    private static final int IO_MS = 4;
    private static final int WEIGHTED_MS = 5;
    /** Busy milliseconds per second, with room for jiffy granularity. */
    private static final double MAX_IO_MS_PER_SECOND = 1100;
    /** Weighted milliseconds per second: busy time times requests in flight, which blk-mq bounds far below this. */
    private static final double MAX_WEIGHTED_MS_PER_SECOND = 1000.0 * 65536;

    private final KernelFiles.Handle diskstats;
    private final Pattern exclude;
    private final CounterState<String> state = new CounterState<>();

    DiskCollector(CollectSettings settings, KernelFiles files) {
        this.diskstats = files.handle(settings.proc().resolve("diskstats"));
        this.exclude = settings.diskExclude();
    }

    @Override
    public String name() {
        return "disk";
    }

    @Override
    public List<Disk> collect(Cycle cycle) throws IOException {
        Cycle.Reading r = cycle.read(diskstats);
        List<DiskStats.Disk> all = DiskStats.parse(r.text());
        List<Disk> out = new ArrayList<>();
        state.begin();
        for (DiskStats.Disk s : all) {
            if (exclude.matcher(s.name()).find()) {
                continue;
            }
            Delta d = state.update(s.name(), r.nanos(), new long[] {s.reads(), s.writes(), s.readSectors(),
                    s.writeSectors(), s.ioTicksMs(), s.weightedIoMs()});
            Disk.Builder b = Disk.newBuilder()
                    .setDevice(s.name())
                    .setReadsTotal(s.reads())
                    .setWritesTotal(s.writes())
                    .setReadBytesTotal(s.readSectors() * DiskStats.SECTOR_BYTES)
                    .setWrittenBytesTotal(s.writeSectors() * DiskStats.SECTOR_BYTES)
                    .setIoTimeSecondsTotal(s.ioTicksMs() / 1000.0)
                    .setWeightedIoTimeSecondsTotal(s.weightedIoMs() / 1000.0);
            if (d != null) {
                // a device whose 64-bit counters went down was re-created: a fall of its 32-bit ms counters is a
                // reset too, not a wrap
                boolean recreated = d.diff(READS) < 0 || d.diff(WRITES) < 0 || d.diff(READ_SECTORS) < 0
                        || d.diff(WRITE_SECTORS) < 0;
                long ioMs = recreated ? d.diff(IO_MS) : d.diff32(IO_MS, MAX_IO_MS_PER_SECOND);
                long weightedMs = recreated ? d.diff(WEIGHTED_MS) : d.diff32(WEIGHTED_MS, MAX_WEIGHTED_MS_PER_SECOND);
                b.setReadsPerSec(d.perSecond(READS))
                        .setWritesPerSec(d.perSecond(WRITES))
                        .setReadBytesPerSec(d.perSecond(READ_SECTORS, DiskStats.SECTOR_BYTES))
                        .setWrittenBytesPerSec(d.perSecond(WRITE_SECTORS, DiskStats.SECTOR_BYTES))
                        .setIoUtilization(Delta.clampRatio(d.rate(ioMs, 0.001)))
                        .setQueueDepth(d.rate(weightedMs, 0.001));
            }
            out.add(b.build());
        }
        state.end();
        return out;
    }

    @Override
    public void put(NodeMetrics.Builder event, List<Disk> family) {
        event.setDisks(family == null ? List.of() : family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
