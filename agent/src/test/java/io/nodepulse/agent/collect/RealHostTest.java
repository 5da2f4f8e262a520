package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.Cpu;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.NodeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real collectors on this machine's /proc, /sys and /, with the real statvfs, adjtimex and OSHI. */
class RealHostTest {
    static NodeCollector collector;
    static NodeMetrics first;
    static NodeMetrics later;
    static SelfCheck check;

    @BeforeAll
    static void collect() throws Exception {
        CollectSettings s = CollectSettings.forHostRoot(Path.of("/proc"), Path.of("/sys"), Path.of("/"))
                .withPerCore(true);
        collector = NodeCollector.create(s);
        first = Events.complete(collector.collect(Instant.now()), 1);
        // Poll until CPU ticks have passed (USER_HZ is 100, so this takes tens of milliseconds).
        long deadline = System.nanoTime() + 30_000_000_000L;
        long seq = 1;
        do {
            Thread.sleep(200);
            later = Events.complete(collector.collect(Instant.now()), ++seq);
        } while (later.getCpu().getUserRatio() == null && System.nanoTime() < deadline);
        check = collector.selfCheck();
    }

    @Test
    void everyCollectorWorksHere() throws java.io.IOException {
        assertThat(later.getCollectors()).allSatisfy(r ->
                assertThat(r.getOk()).as(r.getName() + ": " + r.getError()).isTrue());
        assertThat(later.getCollectors()).extracting(CollectorResult::getName)
                .containsExactlyElementsOf(CollectSettings.COLLECTORS);
        assertThat(later.getBootId()).isEqualTo(
                Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip());
    }

    @Test
    void cpuSharesSumToOne() {
        Cpu cpu = later.getCpu();
        assertThat(cpu.getCount()).isGreaterThanOrEqualTo(1);
        double sum = cpu.getUserRatio() + cpu.getNiceRatio() + cpu.getSystemRatio() + cpu.getIdleRatio()
                + cpu.getIowaitRatio() + cpu.getIrqRatio() + cpu.getSoftirqRatio() + cpu.getStealRatio();
        assertThat(sum).isCloseTo(1.0, within(1e-9));
        assertThat(cpu.getBusyRatio()).isBetween(0.0, 1.0);
        assertThat(cpu.getCores()).hasSize(cpu.getCount());
        assertThat(first.getCpu().getUserRatio()).isNull();
    }

    @Test
    void memoryAndLoadAreSane() {
        var m = later.getMemory();
        assertThat(m.getTotalBytes()).isPositive();
        assertThat(m.getUsedBytes()).isBetween(0L, m.getTotalBytes());
        assertThat(m.getAvailableBytes()).isBetween(0L, m.getTotalBytes());
        assertThat(m.getFreeBytes()).isLessThanOrEqualTo(m.getAvailableBytes());
        assertThat(m.getSwapUsedBytes()).isBetween(0L, m.getSwapTotalBytes());
        assertThat(later.getLoad().getLoad1()).isGreaterThanOrEqualTo(0.0);
        assertThat(later.getLoad().getUptimeSeconds()).isPositive();
        assertThat(later.getLoad().getBootTime()).isBefore(Instant.now());
        assertThat(later.getProcesses().getProcesses()).isPositive();
        assertThat(later.getProcesses().getThreads()).isGreaterThanOrEqualTo(later.getProcesses().getProcesses());
        assertThat(later.getFileDescriptors().getAllocated()).isBetween(1L, later.getFileDescriptors().getMax());
    }

    @Test
    void theRootFilesystemIsThere() {
        Filesystem root = later.getFilesystems().stream().filter(f -> f.getMountPoint().equals("/")).findFirst()
                .orElseThrow(() -> new AssertionError("no / in " + later.getFilesystems()));
        assertThat(root.getSizeBytes()).isPositive();
        assertThat(root.getUsedBytes()).isBetween(0L, root.getSizeBytes());
        assertThat(root.getAvailableBytes()).isBetween(0L, root.getSizeBytes() - root.getUsedBytes());
        assertThat(root.getUsedRatio()).isBetween(0.0, 1.0);
    }

    @Test
    void filtersHoldAndRatesAreNeverNegative() {
        CollectSettings s = collector.settings();
        assertThat(later.getDisks()).allSatisfy(d -> assertThat(s.diskExclude().matcher(d.getDevice()).find()).isFalse());
        assertThat(later.getInterfaces()).allSatisfy(i ->
                assertThat(s.interfaceExclude().matcher(i.getName()).find()).isFalse());
        assertThat(RateFields.of(later)).allSatisfy((path, value) -> {
            if (value != null) {
                assertThat((Double) value).as(path).isGreaterThanOrEqualTo(0.0);
            }
        });
    }

    @Test
    void theClockIsRead() {
        assertThat(later.getClock().getMaxErrorSeconds()).isGreaterThanOrEqualTo(0.0);
        assertThat(later.getClock().getEstimatedErrorSeconds()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void theSelfCheckDescribesTheHardwareThroughOshi() {
        assertThat(check.findings()).anySatisfy(f -> assertThat(f).startsWith("host: ")
                .contains(later.getCpu().getCount() + " logical CPUs"));
    }
}
