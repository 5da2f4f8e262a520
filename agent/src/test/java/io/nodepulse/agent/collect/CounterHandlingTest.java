package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nodepulse.schema.Disk;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First samples, counter resets and wraps, reboots, and devices that come and go, on the host fixture. */
class CounterHandlingTest {
    @TempDir
    Path tmp;
    Path tree;
    Fixtures.ManualClock clock;
    NodeCollector collector;
    long seq;

    @BeforeEach
    void setUp() {
        tree = Fixtures.copy("host", tmp.resolve("host"));
        clock = new Fixtures.ManualClock();
        collector = Fixtures.collector(Fixtures.settings(tree).withPerCore(true), tree, clock);
    }

    NodeMetrics collect() {
        seq++;
        return Events.complete(collector.collect(Events.T0.plusSeconds(10 * seq)), seq);
    }

    NodeMetrics collectAfter(double seconds) {
        clock.advanceSeconds(seconds);
        return collect();
    }

    @Test
    void firstSampleHasRawCountersAndNoRates() {
        NodeMetrics first = collect();
        Map<String, Object> rates = RateFields.of(first);
        // cpu 9 + 4 cores x 5, memory 4, processes 3, 3 disks x 6, 2 interfaces x 8, 3 PSI resources x 2, 6 pods x 2
        assertThat(rates).as("every rate field of the schema that the fixture fills").hasSize(88);
        assertThat(rates).allSatisfy((path, value) -> assertThat(value).as(path).isNull());
        assertThat(first.getCpu().getUserSecondsTotal()).isPositive();
        assertThat(first.getDisks().get(0).getReadsTotal()).isPositive();
    }

    @Test
    void unchangedCountersGiveZeroRatesNotNull() {
        collect();
        NodeMetrics second = collectAfter(10);
        // Only the CPU shares need ticks to pass; everything else is a defined zero.
        assertThat(RateFields.of(second)).allSatisfy((path, value) -> {
            if (!path.startsWith("cpu.")) {
                assertThat(value).as(path).isEqualTo(0.0);
            }
        });
        assertThat(second.getCpu().getUserRatio()).as("no ticks elapsed: no shares").isNull();
    }

    @Test
    void aCounterThatWentDownHasANullRateAndTheOthersGoOn() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        // eth0's rx bytes and nvme1n1's reads went down (a driver reload, a re-created device).
        Fixtures.edit(tree.resolve("proc/1/net/dev"), "98766682109", "1000");
        Fixtures.edit(tree.resolve("proc/diskstats"), "nvme1n1 234587", "nvme1n1 17");
        // The prometheus pod was re-created under the same uid: its usage restarts.
        Path prom = tree.resolve("sys/fs/cgroup/kubepods.slice/kubepods-pod5f1c7a2e_3b4d_4e8f_9a6b_1c2d3e4f5a6b.slice");
        Fixtures.edit(prom.resolve("cpu.stat"), "usage_usec 1002654321", "usage_usec 5000");
        NodeMetrics second = collectAfter(10);

        NetInterface eth0 = second.getInterfaces().get(0);
        assertThat(eth0.getRxBytesTotal()).isEqualTo(1000);
        assertThat(eth0.getRxBytesPerSec()).isNull();
        assertThat(eth0.getTxBytesPerSec()).isCloseTo(60_000.0, within(1e-6));
        Disk nvme1 = second.getDisks().get(1);
        assertThat(nvme1.getReadsPerSec()).isNull();
        assertThat(nvme1.getWritesPerSec()).isCloseTo(120.0, within(1e-9));
        Pod p = second.getPods().stream().filter(x -> x.getName().equals("prometheus-k8s-0")).findFirst().orElseThrow();
        assertThat(p.getCpuUsageCores()).isNull();
        assertThat(p.getCpuThrottledRatio()).isCloseTo(0.05, within(1e-12));
        assertThat(RateFields.of(second)).allSatisfy((path, value) -> {
            if (value != null) {
                assertThat((Double) value).as(path).isGreaterThanOrEqualTo(0.0);
            }
        });

        // The next interval measures from the reset value again.
        Fixtures.edit(tree.resolve("proc/1/net/dev"), "eth0: 1000 ", "eth0: 6000 ");
        assertThat(collectAfter(10).getInterfaces().get(0).getRxBytesPerSec()).isCloseTo(500.0, within(1e-9));
    }

    @Test
    void aCpuModeThatWentDownVoidsAllShares() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        // Some kernels let iowait go backwards; the denominator is then unknown.
        Fixtures.edit(tree.resolve("proc/stat"), "9878943 12385", "9878943 12000");
        NodeMetrics second = collectAfter(10);
        assertThat(second.getCpu().getUserRatio()).isNull();
        assertThat(second.getCpu().getBusyRatio()).isNull();
        assertThat(second.getCpu().getCores().get(0).getUserRatio()).as("per-core lines are fine").isNotNull();
    }

    @Test
    void a32BitWrapIsOnlyAcceptedWhenPossibleInTheInterval() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        // sda's io_ticks wrapped from 2^32 - 1000 to 1500: 2500 ms over 10 s is possible ...
        NodeMetrics wrapped = collectAfter(10);
        assertThat(wrapped.getDisks().get(2).getIoUtilization()).isCloseTo(0.25, within(1e-9));
        // ... but a fall from 1500 to 700 over 10 s would mean 2^32 - 800 busy ms: that is a reset.
        Fixtures.edit(tree.resolve("proc/diskstats"), "0 1500 9000", "0 700 9000");
        NodeMetrics reset = collectAfter(10);
        assertThat(reset.getDisks().get(2).getIoUtilization()).isNull();
        assertThat(reset.getDisks().get(2).getQueueDepth()).isEqualTo(0.0);
    }

    @Test
    void aReCreatedDeviceIsNotTakenForA32BitWrap() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        // sda's ms counters fell as in a wrap, but so did its reads: the device was re-created
        Fixtures.edit(tree.resolve("proc/diskstats"), "sda 55565", "sda 17");
        Disk sda = collectAfter(10).getDisks().get(2);
        assertThat(sda.getReadsPerSec()).isNull();
        assertThat(sda.getIoUtilization()).isNull();
        assertThat(sda.getQueueDepth()).isNull();
        assertThat(sda.getWritesPerSec()).as("a counter that did not fall still has its rate").isNotNull();
    }

    @Test
    void aRebootNullsEveryRateThenRatesResume() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        Fixtures.write(tree.resolve("proc/sys/kernel/random/boot_id"), "0e9d8c7b-6a59-4483-9271-605f4e3d2c1b\n");
        NodeMetrics afterReboot = collectAfter(10);
        assertThat(afterReboot.getBootId()).isEqualTo("0e9d8c7b-6a59-4483-9271-605f4e3d2c1b");
        assertThat(collector.bootId()).isEqualTo("0e9d8c7b-6a59-4483-9271-605f4e3d2c1b");
        // The counters grew here, yet they belong to another boot: no rate may span the reboot.
        assertThat(RateFields.of(afterReboot)).allSatisfy((path, value) -> assertThat(value).as(path).isNull());

        Fixtures.edit(tree.resolve("proc/1/net/dev"), "98766682109", "98766782109");
        NodeMetrics next = collectAfter(10);
        assertThat(next.getInterfaces().get(0).getRxBytesPerSec()).isCloseTo(10_000.0, within(1e-9));
        assertThat(RateFields.of(next).get("memory.majorFaultsPerSec")).isEqualTo(0.0);
    }

    @Test
    void devicesThatAppearStartWithoutRatesAndThoseThatGoAreDropped() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        String net = Fixtures.read(tree.resolve("proc/1/net/dev"));
        // ens5 goes away; eth1 (a hot-plugged interface) appears.
        String withoutEns5 = net.lines().filter(l -> !l.contains("ens5:")).reduce("", (a, b) -> a + b + "\n");
        Fixtures.write(tree.resolve("proc/1/net/dev"),
                withoutEns5 + "  eth1:     5000      10    0    0    0     0          0         0     4000       8    0    0    0     0       0          0\n");
        NodeMetrics second = collectAfter(10);
        assertThat(second.getInterfaces()).extracting(NetInterface::getName).containsExactly("eth0", "eth1");
        assertThat(second.getInterfaces().get(1).getRxBytesPerSec()).isNull();
        assertThat(second.getInterfaces().get(0).getRxBytesPerSec()).isNotNull();

        // ens5 comes back with lower counters (a new device): it starts afresh instead of a reset.
        Fixtures.write(tree.resolve("proc/1/net/dev"), net.replace("1234577890", "100"));
        NodeMetrics third = collectAfter(10);
        NetInterface ens5 = third.getInterfaces().stream().filter(i -> i.getName().equals("ens5")).findFirst()
                .orElseThrow();
        assertThat(ens5.getRxBytesTotal()).isEqualTo(100);
        assertThat(ens5.getRxBytesPerSec()).isNull();
    }

    @Test
    void ratesUseTheMeasuredTimeNotTheInterval() {
        collect();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        // The same growth read after 12.5 s instead of 10 s (a slow cycle): rates are 20 % lower.
        NodeMetrics second = collectAfter(12.5);
        assertThat(second.getInterfaces().get(0).getRxBytesPerSec()).isCloseTo(100_000.0, within(1e-6));
        assertThat(second.getMemory().getMajorFaultsPerSec()).isCloseTo(4.0, within(1e-9));
        assertThat(second.getCpu().getUserRatio()).as("shares do not depend on time").isCloseTo(0.25, within(1e-12));
    }

    @Test
    void podsThatComeAndGo() {
        collect();
        int open = collector.openFiles();
        Fixtures.copyTree(Fixtures.dir("host-next"), tree);
        Path burstable = tree.resolve("sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice");
        Path web = burstable.resolve("kubepods-burstable-pod9a8b7c6d_5e4f_4a3b_8c2d_1e0f9a8b7c6d.slice");
        Path webNew = burstable.resolve("kubepods-burstable-podaaaaaaaa_5e4f_4a3b_8c2d_1e0f9a8b7c6d.slice");
        Fixtures.copyTree(web, webNew);
        deleteTree(web);
        NodeMetrics second = collectAfter(10);
        assertThat(second.getPods()).extracting(Pod::getUid)
                .contains("aaaaaaaa-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
                .doesNotContain("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
        Pod fresh = second.getPods().stream().filter(p -> p.getUid().startsWith("aaaaaaaa")).findFirst().orElseThrow();
        assertThat(fresh.getCpuUsageCores()).isNull();
        assertThat(fresh.getName()).as("no log directory yet").isNull();
        // The gone pod's files were closed (an open file would keep its removed cgroup alive).
        assertThat(collector.openFiles()).isEqualTo(open);
    }

    static void deleteTree(Path dir) {
        try (var s = java.nio.file.Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
