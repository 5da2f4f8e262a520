package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.LoadAvg;
import io.nodepulse.agent.collect.parse.ProcStat;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Processes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Processes (numeric entries of {@code <proc>}), threads (from {@code <proc>/loadavg}), and running, blocked,
 * fork, context-switch and interrupt counts from {@code <proc>/stat}. The process count is the only figure
 * here that depends on the pid namespace, so it is what shows a container's /proc most plainly.
 */
final class ProcessesCollector implements Collector<Processes> {
    private final Path proc;
    private final KernelFiles.Handle stat;
    private final KernelFiles.Handle loadavg;
    private final CounterState<String> state = new CounterState<>();

    ProcessesCollector(CollectSettings settings, KernelFiles files) {
        this.proc = settings.proc();
        this.stat = files.handle(proc.resolve("stat"));
        this.loadavg = files.handle(proc.resolve("loadavg"));
    }

    @Override
    public String name() {
        return "processes";
    }

    @Override
    public Processes collect(Cycle cycle) throws IOException {
        Cycle.Reading r = cycle.read(stat);
        ProcStat s = cycle.parse(stat, ProcStat.class, ProcStat::parse);
        LoadAvg l = LoadAvg.parse(cycle.text(loadavg));
        int processes = countPids(cycle.list(proc));
        state.begin();
        Delta d = state.update("stat", r.nanos(), new long[] {s.forks(), s.contextSwitches(), s.interrupts()});
        state.end();
        return Processes.newBuilder()
                .setProcesses(processes)
                .setThreads(l.threads())
                .setRunning(s.running())
                .setBlocked(s.blocked())
                .setForksTotal(s.forks())
                .setContextSwitchesTotal(s.contextSwitches())
                .setInterruptsTotal(s.interrupts())
                .setForksPerSec(d == null ? null : d.perSecond(0))
                .setContextSwitchesPerSec(d == null ? null : d.perSecond(1))
                .setInterruptsPerSec(d == null ? null : d.perSecond(2))
                .build();
    }

    static int countPids(String[] names) {
        int n = 0;
        for (String name : names) {
            if (!name.isEmpty() && allDigits(name)) {
                n++;
            }
        }
        return n;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void put(NodeMetrics.Builder event, Processes family) {
        event.setProcesses(family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
