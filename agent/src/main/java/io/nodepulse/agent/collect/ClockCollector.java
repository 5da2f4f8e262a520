package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Timex;
import io.nodepulse.agent.collect.sys.TimexSource;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.TimeSync;

/**
 * The kernel's clock discipline state from adjtimex(2) with modes = 0 (read-only). The system clock is not
 * namespaced, so a pod reads the host's state without any mount.
 */
final class ClockCollector implements Collector<TimeSync> {
    private final TimexSource source;

    ClockCollector(TimexSource source) {
        this.source = source;
    }

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public TimeSync collect(Cycle cycle) throws Exception {
        Timex t = source.read();
        return TimeSync.newBuilder()
                .setSynced(t.synced())
                .setOffsetSeconds(t.offsetSeconds())
                .setMaxErrorSeconds(t.maxErrorSeconds())
                .setEstimatedErrorSeconds(t.estimatedErrorSeconds())
                .setFrequencyPpm(t.frequencyPpm())
                .setStatus(t.status())
                .build();
    }

    @Override
    public void put(NodeMetrics.Builder event, TimeSync family) {
        event.setClock(family);
    }
}
