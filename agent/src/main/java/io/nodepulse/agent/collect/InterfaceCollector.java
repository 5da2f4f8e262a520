package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.NetDev;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Network interfaces of the host's network namespace, from {@code <proc>/1/net/dev}. Not {@code <proc>/net/dev}
 * (a link to the reader's own namespace, the pod's) and not Java's NetworkInterface (same problem). Left out: the
 * names the exclude pattern matches, and members of a bond ({@code <sys>/class/net/<name>/bonding_slave}), whose
 * traffic the bond counts too.
 */
final class InterfaceCollector implements Collector<List<NetInterface>> {
    private final KernelFiles.Handle netDev;
    private final Pattern exclude;
    private final Path classNet;
    private final CounterState<String> state = new CounterState<>();

    InterfaceCollector(CollectSettings settings, KernelFiles files) {
        this.netDev = files.handle(settings.proc().resolve("1/net/dev"));
        this.exclude = settings.interfaceExclude();
        this.classNet = settings.sys().resolve("class/net");
    }

    @Override
    public String name() {
        return "interface";
    }

    @Override
    public List<NetInterface> collect(Cycle cycle) throws IOException {
        Cycle.Reading r = cycle.read(netDev);
        List<NetInterface> out = new ArrayList<>();
        state.begin();
        for (NetDev.Interface i : NetDev.parse(r.text())) {
            if (exclude.matcher(i.name()).find() || Files.isDirectory(classNet.resolve(i.name()).resolve("bonding_slave"))) {
                continue;
            }
            Delta d = state.update(i.name(), r.nanos(), new long[] {i.rxBytes(), i.txBytes(), i.rxPackets(),
                    i.txPackets(), i.rxErrors(), i.txErrors(), i.rxDrops(), i.txDrops()});
            NetInterface.Builder b = NetInterface.newBuilder()
                    .setName(i.name())
                    .setRxBytesTotal(i.rxBytes())
                    .setTxBytesTotal(i.txBytes())
                    .setRxPacketsTotal(i.rxPackets())
                    .setTxPacketsTotal(i.txPackets())
                    .setRxErrorsTotal(i.rxErrors())
                    .setTxErrorsTotal(i.txErrors())
                    .setRxDropsTotal(i.rxDrops())
                    .setTxDropsTotal(i.txDrops());
            if (d != null) {
                b.setRxBytesPerSec(d.perSecond(0)).setTxBytesPerSec(d.perSecond(1))
                        .setRxPacketsPerSec(d.perSecond(2)).setTxPacketsPerSec(d.perSecond(3))
                        .setRxErrorsPerSec(d.perSecond(4)).setTxErrorsPerSec(d.perSecond(5))
                        .setRxDropsPerSec(d.perSecond(6)).setTxDropsPerSec(d.perSecond(7));
            }
            out.add(b.build());
        }
        state.end();
        return out;
    }

    @Override
    public void put(NodeMetrics.Builder event, List<NetInterface> family) {
        event.setInterfaces(family == null ? List.of() : family);
    }

    @Override
    public void reset() {
        state.clear();
    }
}
