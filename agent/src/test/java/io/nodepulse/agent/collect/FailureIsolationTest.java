package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.NodeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A collector that cannot read its files is reported in the event; the other collectors go on. */
class FailureIsolationTest {
    @TempDir
    Path tmp;
    Path tree;

    @BeforeEach
    void copy() {
        tree = Fixtures.copy("host", tmp.resolve("host"));
    }

    private static Map<String, CollectorResult> results(NodeMetrics e) {
        return e.getCollectors().stream().collect(Collectors.toMap(CollectorResult::getName, Function.identity()));
    }

    private NodeMetrics collectOnce(NodeCollector c) {
        return Events.complete(c.collect(Events.T0), 1);
    }

    /** One event from a collector of the fixture tree with the default settings. */
    private NodeMetrics collectFixture() {
        try (NodeCollector c = Fixtures.collector(Fixtures.settings(tree), tree, new Fixtures.ManualClock())) {
            return collectOnce(c);
        }
    }

    @Test
    void missingDiskstatsFailsOnlyTheDiskCollector() throws IOException {
        Files.delete(tree.resolve("proc/diskstats"));
        NodeMetrics e = collectFixture();
        CollectorResult disk = results(e).get("disk");
        assertThat(disk.getOk()).isFalse();
        assertThat(disk.getError()).isEqualTo("cannot read " + tree.resolve("proc/diskstats") + ": no such file");
        assertThat(e.getDisks()).isEmpty();
        assertThat(results(e).values()).filteredOn(r -> !r.getName().equals("disk"))
                .allSatisfy(r -> assertThat(r.getOk()).as(r.getName()).isTrue());
        assertThat(e.getCpu()).isNotNull();
        assertThat(e.getFilesystems()).isNotEmpty();
    }

    @Test
    void missingProcStatFailsTheThreeCollectorsThatNeedIt() throws IOException {
        Files.delete(tree.resolve("proc/stat"));
        NodeMetrics e = collectFixture();
        assertThat(results(e).values()).filteredOn(r -> !r.getOk()).extracting(CollectorResult::getName)
                .containsExactlyInAnyOrder("cpu", "load", "processes");
        assertThat(e.getCpu()).isNull();
        assertThat(e.getLoad()).isNull();
        assertThat(e.getProcesses()).isNull();
        assertThat(e.getMemory()).isNotNull();
        assertThat(e.getBootId()).isEqualTo("6f1d2c3b-4a59-4e7f-8d9c-0b1a2f3e4d5c");
    }

    @Test
    void malformedInputIsNamed() {
        Fixtures.write(tree.resolve("proc/meminfo"), "MemTotal: lots kB\nMemFree: 1 kB\n");
        NodeMetrics e = collectFixture();
        assertThat(results(e).get("memory").getError()).isEqualTo("malformed input: 'lots' is not a number (MemTotal)");
        assertThat(e.getMemory()).isNull();
    }

    @Test
    void bootIdFallsBackToBootTime() throws IOException {
        Files.delete(tree.resolve("proc/sys/kernel/random/boot_id"));
        assertThat(collectFixture().getBootId()).isEqualTo("btime-1700000000");
    }

    @Test
    void aThermalZoneWithoutATypeIsLeftOutAndTheOthersReported() throws IOException {
        // zone 2 of the fixture has no temp; zone 0 loses its type
        Files.delete(tree.resolve("sys/class/thermal/thermal_zone0/type"));
        NodeMetrics e = collectFixture();
        assertThat(results(e).get("thermal").getOk()).isTrue();
        assertThat(e.getThermalZones()).extracting(z -> z.getZone()).containsExactly("thermal_zone1");
    }

    @Test
    void pressureAndThermalMayBeAbsentWithoutFailing() throws IOException {
        CounterHandlingTest.deleteTree(tree.resolve("proc/pressure"));
        CounterHandlingTest.deleteTree(tree.resolve("sys/class/thermal"));
        NodeMetrics e = collectFixture();
        assertThat(e.getPressure()).isNull();
        assertThat(e.getThermalZones()).isEmpty();
        assertThat(results(e).get("pressure").getOk()).isTrue();
        assertThat(results(e).get("thermal").getOk()).isTrue();
    }

    @Test
    void cpuPressureAloneMissing() throws IOException {
        Files.delete(tree.resolve("proc/pressure/cpu"));
        NodeMetrics e = collectFixture();
        assertThat(e.getPressure().getCpuPressure()).isNull();
        assertThat(e.getPressure().getIoPressure()).isNotNull();
    }

    @Test
    void statvfsFailuresSkipMountsUntilNoneIsLeft() {
        Fixtures.FakeStatFs statFs = Fixtures.statFs(tree);
        statFs.failures.put("/boot/efi", new IOException("statvfs /boot/efi: EACCES (permission denied)"));
        try (NodeCollector c = new NodeCollector(Fixtures.settings(tree), statFs, Fixtures.timex(tree),
                new Fixtures.ManualClock(), () -> null)) {
            NodeMetrics e = collectOnce(c);
            assertThat(e.getFilesystems()).extracting(f -> f.getMountPoint())
                    .containsExactly("/", "/var/lib/kubelet", "/mnt/archive");
            assertThat(results(e).get("filesystem").getOk()).isTrue();
        }
        statFs.failures.put("*", new IOException("statvfs: ENOENT (no such file or directory)"));
        try (NodeCollector c = new NodeCollector(Fixtures.settings(tree), statFs, Fixtures.timex(tree),
                new Fixtures.ManualClock(), () -> null)) {
            NodeMetrics e = collectOnce(c);
            assertThat(e.getFilesystems()).isEmpty();
            assertThat(results(e).get("filesystem").getError()).isEqualTo("statvfs: ENOENT (no such file or directory)");
        }
    }

    @Test
    void aMissingNativeLibraryFailsTheClockCollectorOnly() {
        try (NodeCollector c = new NodeCollector(Fixtures.settings(tree), Fixtures.statFs(tree), () -> {
            throw new UnsatisfiedLinkError("Unable to load library 'c'");
        }, new Fixtures.ManualClock(), () -> null)) {
            NodeMetrics e = collectOnce(c);
            assertThat(results(e).get("clock").getOk()).isFalse();
            assertThat(results(e).get("clock").getError()).contains("native library unavailable")
                    .contains("jna.tmpdir");
            assertThat(e.getClock()).isNull();
            assertThat(results(e).get("cpu").getOk()).isTrue();
        }
    }

    @Test
    void disabledCollectorsDoNotRun() {
        CollectSettings s = Fixtures.settings(tree).withDisabled("pod", "thermal");
        try (NodeCollector c = Fixtures.collector(s, tree, new Fixtures.ManualClock())) {
            NodeMetrics e = collectOnce(c);
            assertThat(results(e)).doesNotContainKeys("pod", "thermal").hasSize(10);
            assertThat(e.getPods()).isEmpty();
            assertThat(e.getThermalZones()).isEmpty();
        }
    }

    @Test
    void metricsShowDurationsFailuresAndRecovery() throws IOException {
        MetricRegistry registry = new MetricRegistry();
        Path diskstats = tree.resolve("proc/diskstats");
        String saved = Fixtures.read(diskstats);
        Files.delete(diskstats);
        try (NodeCollector c = Fixtures.collector(Fixtures.settings(tree), tree, new Fixtures.ManualClock())) {
            c.collect(Events.T0);
            c.registerMetrics(registry);
            String text = registry.scrape();
            assertThat(text).contains("nodepulse_agent_collector_up{collector=\"disk\"} 0\n")
                    .contains("nodepulse_agent_collector_up{collector=\"cpu\"} 1\n")
                    .contains("nodepulse_agent_collector_errors_total{collector=\"disk\"} 1\n")
                    .contains("nodepulse_agent_collector_errors_total{collector=\"cpu\"} 0\n")
                    .containsPattern("nodepulse_agent_collector_duration_seconds\\{collector=\"pod\"} [0-9.eE-]+\n")
                    .contains("nodepulse_agent_collect_cycle_duration_seconds ");
            c.collect(Events.T0);
            assertThat(registry.scrape()).contains("nodepulse_agent_collector_errors_total{collector=\"disk\"} 2\n");
            Fixtures.write(diskstats, saved);
            c.collect(Events.T0);
            assertThat(registry.scrape()).contains("nodepulse_agent_collector_up{collector=\"disk\"} 1\n")
                    .contains("nodepulse_agent_collector_errors_total{collector=\"disk\"} 2\n");
        }
    }

    @Test
    void aMountNotVisibleUnderTheRootPrefixIsSkipped() {
        Fixtures.FakeStatFs statFs = Fixtures.statFs(tree);
        // /mnt/archive was mounted after the agent started: under the root prefix it is still the root disk.
        statFs.devices.put("/mnt/archive", new Device(259, 1));
        try (NodeCollector c = new NodeCollector(Fixtures.settings(tree), statFs, Fixtures.timex(tree),
                new Fixtures.ManualClock(), () -> null)) {
            assertThat(collectOnce(c).getFilesystems()).extracting(f -> f.getMountPoint())
                    .containsExactly("/", "/boot/efi", "/var/lib/kubelet");
            // The host mounts something else: the table changes, visibility is checked again.
            statFs.devices.put("/mnt/archive", new Device(8, 1));
            Fixtures.edit(tree.resolve("proc/1/mountinfo"), "/run/user/1000", "/run/user/1001");
            assertThat(collectOnce(c).getFilesystems()).extracting(f -> f.getMountPoint())
                    .containsExactly("/", "/boot/efi", "/var/lib/kubelet", "/mnt/archive");
        }
    }
}
