package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host fixture (a 4-CPU Kubernetes worker seen through /host prefixes), read twice 10 s apart: the
 * second reading is the fixture with {@code host-next} laid over it. Compared with the golden
 * {@code host.json}; the assertions below pin the figures worked out by hand from the fixture deltas.
 */
class HostViewGoldenTest {
    @TempDir
    static Path tmp;
    static Path tree;
    static SelfCheck check;
    static NodeMetrics first;
    static NodeMetrics second;

    @BeforeAll
    static void collectTwice() {
        tree = Fixtures.copy("host", tmp.resolve("host"));
        Fixtures.ManualClock clock = new Fixtures.ManualClock();
        try (NodeCollector c = Fixtures.collector(Fixtures.settings(tree).withPerCore(true), tree, clock)) {
            check = c.selfCheck();
            first = Events.complete(c.collect(Events.T0), 1);
            Fixtures.copyTree(Fixtures.dir("host-next"), tree);
            clock.advanceSeconds(10);
            second = Events.complete(c.collect(Events.T0.plusSeconds(10)), 2);
        }
    }

    @Test
    void matchesGolden() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("selfCheck", Events.selfCheck(check, tree));
        out.put("first", first);
        out.put("second", second);
        GoldenJson.assertGolden("host.json", GoldenJson.render(out));
    }

    @Test
    void seesTheHost() {
        assertThat(check.hostView()).isTrue();
        assertThat(check.findings()).isEmpty();
        assertThat(first.getCollectors()).extracting(CollectorResult::getOk).containsOnly(true);
        assertThat(first.getBootId()).isEqualTo("6f1d2c3b-4a59-4e7f-8d9c-0b1a2f3e4d5c");
    }

    @Test
    void cpuSharesOverTheInterval() {
        // 4 CPUs x 10 s = 4000 ticks: user +1000, system +400, idle +2400, iowait +40, softirq +60, steal +100.
        var cpu = second.getCpu();
        assertThat(cpu.getCount()).isEqualTo(4);
        assertThat(cpu.getUserRatio()).isCloseTo(0.25, within(1e-12));
        assertThat(cpu.getSystemRatio()).isCloseTo(0.10, within(1e-12));
        assertThat(cpu.getIdleRatio()).isCloseTo(0.60, within(1e-12));
        assertThat(cpu.getIowaitRatio()).isCloseTo(0.01, within(1e-12));
        assertThat(cpu.getStealRatio()).isCloseTo(0.025, within(1e-12));
        assertThat(cpu.getBusyRatio()).isCloseTo(0.39, within(1e-12));
        assertThat(cpu.getUserSecondsTotal()).isCloseTo(12355.67, within(1e-9));
        assertThat(cpu.getCores()).hasSize(4);
        assertThat(cpu.getCores().get(0).getUserRatio()).isCloseTo(0.40, within(1e-12));
        assertThat(cpu.getCores().get(3).getStealRatio()).isCloseTo(0.06, within(1e-12));
    }

    @Test
    void onlyWholeHostDisksWithRatesAndA32BitWrap() {
        assertThat(second.getDisks()).extracting(Disk::getDevice).containsExactly("nvme0n1", "nvme1n1", "sda");
        Disk nvme = second.getDisks().get(0);
        assertThat(nvme.getReadsPerSec()).isCloseTo(10.0, within(1e-9));
        assertThat(nvme.getReadBytesPerSec()).isCloseTo(8000 * 512 / 10.0, within(1e-6));
        assertThat(nvme.getIoUtilization()).isCloseTo(0.25, within(1e-9));
        assertThat(nvme.getQueueDepth()).isCloseTo(0.5, within(1e-9));
        // sda's io_ticks went from 2^32 - 1000 to 1500 and its weighted ticks from 2^32 - 296 to 9000.
        Disk sda = second.getDisks().get(2);
        assertThat(sda.getIoUtilization()).isCloseTo(0.25, within(1e-9));
        assertThat(sda.getQueueDepth()).isCloseTo(0.9296, within(1e-9));
    }

    @Test
    void hostFilesystemsOnly() {
        assertThat(second.getFilesystems()).extracting(f -> f.getMountPoint())
                .containsExactly("/", "/boot/efi", "/var/lib/kubelet", "/mnt/archive");
        assertThat(second.getFilesystems().get(0).getReadOnly())
                .as("rw in the host's mount table; statvfs through the pod's read-only mount of it says ro").isFalse();
        var archive = second.getFilesystems().get(3);
        assertThat(archive.getReadOnly()).isTrue();
        assertThat(archive.getSizeBytes()).isEqualTo(122094592L * 4096);
    }

    @Test
    void hostInterfacesFromPidOneNotTheReadersNamespace() {
        assertThat(second.getInterfaces()).extracting(NetInterface::getName).containsExactly("eth0", "ens5");
        NetInterface eth0 = second.getInterfaces().get(0);
        assertThat(eth0.getRxBytesPerSec()).isCloseTo(125_000.0, within(1e-6));
        assertThat(eth0.getRxDropsPerSec()).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void podsWithQosNamesAndThrottling() {
        assertThat(second.getPods()).hasSize(6);
        Map<String, Pod> byUid = new LinkedHashMap<>();
        second.getPods().forEach(p -> byUid.put(p.getUid(), p));
        Pod prom = byUid.get("5f1c7a2e-3b4d-4e8f-9a6b-1c2d3e4f5a6b");
        assertThat(prom.getQosClass()).isEqualTo("guaranteed");
        assertThat(prom.getNamespace()).isEqualTo("monitoring");
        assertThat(prom.getName()).isEqualTo("prometheus-k8s-0");
        assertThat(prom.getCpuUsageCores()).isCloseTo(1.5, within(1e-9));
        assertThat(prom.getCpuThrottledRatio()).isCloseTo(0.05, within(1e-12));
        assertThat(prom.getCpuLimitCores()).isEqualTo(2.0);
        assertThat(prom.getMemoryWorkingSetBytes()).isEqualTo(2147483648L - 536870912L);
        Pod web = byUid.get("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
        assertThat(web.getCpuThrottledRatio()).isCloseTo(0.4, within(1e-12));
        assertThat(web.getOomKillsTotal()).isEqualTo(2);
        Pod staticPod = byUid.get("e3b0c44298fc1c149afbf4c8996fb924");
        assertThat(staticPod.getQosClass()).isEqualTo("burstable");
        assertThat(staticPod.getName()).isEqualTo("kube-proxy-ip-10-0-1-23");
        assertThat(staticPod.getMemoryLimitBytes()).isNull();
        Pod unnamed = byUid.get("7e6d5c4b-3a29-4817-a6f5-e4d3c2b1a0f9");
        assertThat(unnamed.getQosClass()).isEqualTo("besteffort");
        assertThat(unnamed.getNamespace()).isNull();
        assertThat(unnamed.getName()).isNull();
    }
}
