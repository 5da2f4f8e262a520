package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.MemInfo;
import io.nodepulse.agent.collect.parse.VmStat;
import io.nodepulse.schema.Memory;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;

/** Memory and swap from {@code <proc>/meminfo}; swap, major-fault and OOM-kill counters from {@code <proc>/vmstat}. */
final class MemoryCollector implements Collector<Memory> {
    private final KernelFiles.Handle meminfo;
    private final KernelFiles.Handle vmstat;
    private final CounterState<String> state = new CounterState<>();

    MemoryCollector(CollectSettings settings, KernelFiles files) {
        this.meminfo = files.handle(settings.proc().resolve("meminfo"));
        this.vmstat = files.handle(settings.proc().resolve("vmstat"));
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Memory collect(Cycle cycle) throws IOException {
        MemInfo m = MemInfo.parse(cycle.text(meminfo));
        Cycle.Reading vr = cycle.read(vmstat);
        VmStat v = VmStat.parse(vr.text());
        // Kernels before 3.14 lack MemAvailable; free plus page cache is the usual estimate there.
        long available = m.available() != null ? m.available() : m.free() + m.buffers() + m.cached();
        long oomKills = v.oomKill() == null ? 0 : v.oomKill();
        state.begin();
        Delta d = state.update("vmstat", vr.nanos(), new long[] {v.pswpin(), v.pswpout(), v.pgmajfault(), oomKills});
        state.end();
        return Memory.newBuilder()
                .setTotalBytes(m.total())
                .setAvailableBytes(available)
                .setUsedBytes(m.total() - available)
                .setFreeBytes(m.free())
                .setBuffersBytes(m.buffers())
                .setCachedBytes(m.cached() + m.sReclaimable())
                .setSwapTotalBytes(m.swapTotal())
                .setSwapUsedBytes(Math.max(0, m.swapTotal() - m.swapFree()))
                .setSwapInPagesTotal(v.pswpin())
                .setSwapOutPagesTotal(v.pswpout())
                .setMajorFaultsTotal(v.pgmajfault())
                .setOomKillsTotal(oomKills)
                .setSwapInPagesPerSec(d == null ? null : d.perSecond(0))
                .setSwapOutPagesPerSec(d == null ? null : d.perSecond(1))
                .setMajorFaultsPerSec(d == null ? null : d.perSecond(2))
                .setOomKillsPerSec(d == null || v.oomKill() == null ? null : d.perSecond(3))
                .build();
    }

    @Override
    public void put(NodeMetrics.Builder event, Memory family) {
        event.setMemory(family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
