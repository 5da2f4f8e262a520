package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.LoadAvg;
import io.nodepulse.agent.collect.parse.ProcStat;
import io.nodepulse.schema.Load;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.time.Instant;

/** Load averages from {@code <proc>/loadavg}, uptime from {@code <proc>/uptime}, boot time from {@code <proc>/stat}. */
final class LoadCollector implements Collector<Load> {
    private final KernelFiles.Handle loadavg;
    private final KernelFiles.Handle uptime;
    private final KernelFiles.Handle stat;

    LoadCollector(CollectSettings settings, KernelFiles files) {
        this.loadavg = files.handle(settings.proc().resolve("loadavg"));
        this.uptime = files.handle(settings.proc().resolve("uptime"));
        this.stat = files.handle(settings.proc().resolve("stat"));
    }

    @Override
    public String name() {
        return "load";
    }

    @Override
    public Load collect(Cycle cycle) throws IOException {
        LoadAvg l = LoadAvg.parse(cycle.text(loadavg));
        double up = LoadAvg.uptimeSeconds(cycle.text(uptime));
        long btime = cycle.parse(stat, ProcStat.class, ProcStat::parse).bootTimeSeconds();
        return Load.newBuilder().setLoad1(l.load1()).setLoad5(l.load5()).setLoad15(l.load15())
                .setUptimeSeconds(up).setBootTime(Instant.ofEpochSecond(btime)).build();
    }

    @Override
    public void put(NodeMetrics.Builder event, Load family) {
        event.setLoad(family);
    }
}
