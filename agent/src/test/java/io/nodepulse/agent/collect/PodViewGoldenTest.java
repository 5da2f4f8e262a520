package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a container sees with the prefixes pointed at its own /proc, /sys and / (no host mounts): the
 * non-namespaced files are the host's, but processes, interfaces, filesystems and cgroups are the pod's.
 * The self-check must call this a container view.
 */
class PodViewGoldenTest {
    @TempDir
    static Path tmp;
    static Path tree;
    static SelfCheck check;
    static NodeMetrics event;

    @BeforeAll
    static void collect() {
        tree = Fixtures.copy("pod", tmp.resolve("pod"));
        try (NodeCollector c = Fixtures.collector(Fixtures.settings(tree), tree, new Fixtures.ManualClock())) {
            check = c.selfCheck();
            event = Events.complete(c.collect(Events.T0), 1);
        }
    }

    @Test
    void matchesGolden() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("selfCheck", Events.selfCheck(check, tree));
        out.put("first", event);
        GoldenJson.assertGolden("pod.json", GoldenJson.render(out));
    }

    @Test
    void selfCheckCallsItAContainerView() {
        assertThat(check.hostView()).isFalse();
        assertThat(check.findings()).filteredOn(f -> f.startsWith(SelfCheck.CONTAINER_VIEW))
                .anySatisfy(f -> assertThat(f).contains("pid 1").contains("'java'"))
                .anySatisfy(f -> assertThat(f).contains("root filesystem is overlay"))
                .anySatisfy(f -> assertThat(f).contains("only lo and eth0").contains("veth pair"));
        assertThat(check.findings()).anySatisfy(f -> assertThat(f).startsWith(SelfCheck.NOTE).contains("no kubepods"));
    }

    @Test
    void thePodsViewIsWhatGetsCollected() {
        assertThat(event.getProcesses().getProcesses()).isEqualTo(2);
        assertThat(event.getInterfaces()).extracting(NetInterface::getName).containsExactly("eth0");
        // The kubelet disk, mis-labelled by the bind mount of /etc/hosts: the trap the self-check reports.
        assertThat(event.getFilesystems()).extracting(f -> f.getMountPoint()).containsExactly("/etc/hosts");
        assertThat(event.getPods()).isEmpty();
    }
}
