package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.Disk;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default exclusions can be replaced; per-core shares are off unless asked for. */
class FilterOverrideTest {
    @TempDir
    Path tmp;

    private NodeMetrics collect(CollectSettings s, Path tree) {
        try (NodeCollector c = Fixtures.collector(s, tree, new Fixtures.ManualClock())) {
            return Events.complete(c.collect(Events.T0), 1);
        }
    }

    @Test
    void interfaceAndDiskPatternsCanBeReplaced() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        CollectSettings s = Fixtures.settings(tree).withInterfaceExclude("^(lo|docker0)$").withDiskExclude("^loop");
        NodeMetrics e = collect(s, tree);
        assertThat(e.getInterfaces()).extracting(NetInterface::getName).containsExactly("eth0", "ens5", "cni0",
                "flannel.1", "cali8d2e9f1a3b4", "veth3f9a2b1c", "vethd81c7e02");
        assertThat(e.getDisks()).extracting(Disk::getDevice).containsExactly("nvme0n1", "nvme0n1p1", "nvme0n1p14",
                "nvme0n1p15", "nvme1n1", "sda", "sda1", "dm-0", "zram0");
    }

    @Test
    void bondMembersAndVirtualInterfacesAreLeftOutByDefault() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        Path netDev = tree.resolve("proc/1/net/dev");
        String counters = ": 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n";
        StringBuilder more = new StringBuilder(Fixtures.read(netDev));
        for (String name : new String[] {"bond0", "lxc8a1b2c", "cilium_host", "vxlan.calico", "tunl0", "kube-ipvs0",
                "nodelocaldns", "ifb0", "br-5e2f"}) {
            more.append(name).append(counters);
        }
        Fixtures.write(netDev, more.toString());
        // ens5 is a member of bond0: its traffic is in bond0's counters too
        Fixtures.write(tree.resolve("sys/class/net/ens5/bonding_slave/state"), "active\n");
        NodeMetrics e = collect(Fixtures.settings(tree), tree);
        assertThat(e.getInterfaces()).extracting(NetInterface::getName).containsExactly("eth0", "bond0");
    }

    @Test
    void perCoreIsOffByDefault() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        assertThat(collect(Fixtures.settings(tree), tree).getCpu().getCores()).isNull();
        assertThat(collect(Fixtures.settings(tree).withPerCore(true), tree).getCpu().getCores()).hasSize(4);
    }
}
