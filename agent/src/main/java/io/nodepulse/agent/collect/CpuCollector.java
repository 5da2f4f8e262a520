package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.ProcStat;
import io.nodepulse.schema.CoreCpu;
import io.nodepulse.schema.Cpu;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time by mode from {@code <proc>/stat}: raw seconds since boot, and shares of the interval. A share is a
 * mode's ticks over the ticks of all modes in the interval, which is the CPU time of all online CPUs over the
 * measured interval without the skew of tick granularity. When any mode went down, all shares are null.
 */
final class CpuCollector implements Collector<Cpu> {
    private static final int TOTAL = -1;
    private final KernelFiles.Handle stat;
    private final boolean perCore;
    private final CounterState<Integer> state = new CounterState<>();

    CpuCollector(CollectSettings settings, KernelFiles files) {
        this.stat = files.handle(settings.proc().resolve("stat"));
        this.perCore = settings.perCore();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Cpu collect(Cycle cycle) throws IOException {
        Cycle.Reading r = cycle.read(stat);
        ProcStat s = cycle.parse(stat, ProcStat.class, ProcStat::parse);
        state.begin();
        long[] t = s.total();
        double[] share = shares(state.update(TOTAL, r.nanos(), t));
        Cpu.Builder b = Cpu.newBuilder()
                .setCount(s.cpus().size())
                .setUserSecondsTotal(seconds(t[ProcStat.USER]))
                .setNiceSecondsTotal(seconds(t[ProcStat.NICE]))
                .setSystemSecondsTotal(seconds(t[ProcStat.SYSTEM]))
                .setIdleSecondsTotal(seconds(t[ProcStat.IDLE]))
                .setIowaitSecondsTotal(seconds(t[ProcStat.IOWAIT]))
                .setIrqSecondsTotal(seconds(t[ProcStat.IRQ]))
                .setSoftirqSecondsTotal(seconds(t[ProcStat.SOFTIRQ]))
                .setStealSecondsTotal(seconds(t[ProcStat.STEAL]))
                .setUserRatio(at(share, ProcStat.USER))
                .setNiceRatio(at(share, ProcStat.NICE))
                .setSystemRatio(at(share, ProcStat.SYSTEM))
                .setIdleRatio(at(share, ProcStat.IDLE))
                .setIowaitRatio(at(share, ProcStat.IOWAIT))
                .setIrqRatio(at(share, ProcStat.IRQ))
                .setSoftirqRatio(at(share, ProcStat.SOFTIRQ))
                .setStealRatio(at(share, ProcStat.STEAL))
                .setBusyRatio(busy(share))
                .setCores(null);
        if (perCore) {
            List<CoreCpu> cores = new ArrayList<>(s.cpus().size());
            for (ProcStat.CpuTicks c : s.cpus()) {
                double[] cs = shares(state.update(c.cpu(), r.nanos(), c.ticks()));
                cores.add(CoreCpu.newBuilder().setCore(c.cpu()).setBusyRatio(busy(cs))
                        .setUserRatio(at(cs, ProcStat.USER)).setSystemRatio(at(cs, ProcStat.SYSTEM))
                        .setIowaitRatio(at(cs, ProcStat.IOWAIT)).setStealRatio(at(cs, ProcStat.STEAL)).build());
            }
            b.setCores(cores);
        }
        state.end();
        return b.build();
    }

    /** Each mode's share of all ticks in the interval, or null without a valid previous reading. */
    static double[] shares(Delta d) {
        if (d == null) {
            return null;
        }
        int n = ProcStat.MODES.size();
        long[] diffs = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            long x = d.diff(i);
            if (x < 0) {
                return null;
            }
            diffs[i] = x;
            total += x;
        }
        if (total == 0) {
            return null;
        }
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = diffs[i] / (double) total;
        }
        return s;
    }

    private static Double at(double[] share, int mode) {
        return share == null ? null : share[mode];
    }

    /** Everything but idle and iowait. */
    private static Double busy(double[] share) {
        return share == null ? null : Math.max(0.0, 1.0 - share[ProcStat.IDLE] - share[ProcStat.IOWAIT]);
    }

    private static double seconds(long ticks) {
        return ticks / ProcStat.TICKS_PER_SECOND;
    }

    @Override
    public void put(NodeMetrics.Builder event, Cpu family) {
        event.setCpu(family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
