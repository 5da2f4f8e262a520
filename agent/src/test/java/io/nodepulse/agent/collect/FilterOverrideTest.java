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
    void perCoreIsOffByDefault() {
        Path tree = Fixtures.copy("host", tmp.resolve("host"));
        assertThat(collect(Fixtures.settings(tree), tree).getCpu().getCores()).isNull();
        assertThat(collect(Fixtures.settings(tree).withPerCore(true), tree).getCpu().getCores()).hasSize(4);
    }
}
