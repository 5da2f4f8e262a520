package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.family.MetricFamilies;
import io.nodepulse.family.MetricField;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.Memory;
import io.nodepulse.schema.NetInterface;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import io.nodepulse.schema.PressureResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The synthetic collectors: every reading is one a real host could give, and readings fit together. */
class VirtualHostTest {
    private static final Instant T0 = Instant.parse("2026-03-02T00:00:07Z");
    private static final Duration STEP = Duration.ofSeconds(30);

    /** Readings every 30 s over a simulated day, each finished as the agent's stamper would. */
    private static List<NodeMetrics> day(VirtualHost host) {
        List<NodeMetrics> out = new ArrayList<>();
        Instant t = T0.plusSeconds(30);
        for (int i = 0; i < 2880; i++, t = t.plus(STEP)) {
            out.add(finish(host.sample(t), t, i + 1));
        }
        return out;
    }

    static NodeMetrics finish(NodeMetrics.Builder b, Instant t, long seq) {
        return b.setCluster("c").setNode("n").setRunId("r").setSeq(seq).setEventTime(t).setIntervalMs(30_000)
                .setAgentVersion("test").build();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void everyReadingIsPlausible(Fault fault) {
        List<NodeMetrics> events = day(new VirtualHost(Shape.DEFAULT, fault, 7, T0, false));
        for (NodeMetrics e : events) {
            assertThat(e.getDisks()).hasSize(4);
            assertThat(e.getFilesystems()).hasSize(3);
            assertThat(e.getInterfaces()).hasSize(2);
            assertThat(e.getPods()).hasSize(30);
            assertThat(e.getThermalZones()).hasSize(1);
            assertThat(e.getCollectors()).hasSize(12).allMatch(c -> c.getOk());
            MetricFamilies.forEach(e, (family, device, record) -> {
                for (MetricField f : family.fields()) {
                    Object v = record.get(f.position());
                    if (!(v instanceof Number n)) {
                        continue;
                    }
                    double d = n.doubleValue();
                    String where = family.name() + " " + device + " " + f.name() + " at " + e.getEventTime();
                    assertThat(Double.isFinite(d)).as(where).isTrue();
                    if (!f.name().equals("offsetSeconds") && !f.name().equals("frequencyPpm")) {
                        assertThat(d).as(where).isGreaterThanOrEqualTo(0);
                    }
                    if (f.unit() != null && f.unit().startsWith("ratio")) {
                        assertThat(d).as(where).isLessThanOrEqualTo(1);
                    }
                    if (f.unit() != null && f.unit().startsWith("percent")) {
                        assertThat(d).as(where).isLessThanOrEqualTo(100);
                    }
                }
            });
            Memory m = e.getMemory();
            assertThat(m.getUsedBytes()).isLessThanOrEqualTo(m.getTotalBytes());
            assertThat(m.getAvailableBytes()).isLessThanOrEqualTo(m.getTotalBytes());
            assertThat(m.getFreeBytes()).isLessThanOrEqualTo(m.getAvailableBytes());
            assertThat(m.getUsedBytes() + m.getAvailableBytes()).isEqualTo(m.getTotalBytes());
            for (Filesystem f : e.getFilesystems()) {
                assertThat(f.getUsedBytes() + f.getAvailableBytes()).isLessThanOrEqualTo(f.getSizeBytes());
                assertThat(f.getInodesFree()).isLessThanOrEqualTo(f.getInodesTotal());
                assertThat(f.getUsedRatio()).isCloseTo(f.getUsedBytes() / (double) (f.getUsedBytes()
                        + f.getAvailableBytes()), org.assertj.core.data.Offset.offset(1e-12));
            }
            for (Pod p : e.getPods()) {
                assertThat(p.getMemoryWorkingSetBytes()).isLessThanOrEqualTo(p.getMemoryCurrentBytes());
                if (p.getMemoryLimitBytes() != null) {
                    assertThat(p.getMemoryCurrentBytes()).isLessThanOrEqualTo(p.getMemoryLimitBytes());
                }
                assertThat(p.getQosClass()).isIn("guaranteed", "burstable", "besteffort");
                assertThat(p.getCpuThrottledPeriodsTotal()).isLessThanOrEqualTo(p.getCpuPeriodsTotal());
            }
            assertThat(e.getFileDescriptors().getAllocated()).isLessThanOrEqualTo(e.getFileDescriptors().getMax());
            assertThat(e.getProcesses().getRunning()).isLessThanOrEqualTo(e.getProcesses().getProcesses());
            assertThat(e.getProcesses().getThreads()).isGreaterThanOrEqualTo(e.getProcesses().getProcesses());
            assertThat(e.getLoad().getUptimeSeconds()).isEqualTo((e.getEventTime().toEpochMilli()
                    - e.getLoad().getBootTime().toEpochMilli()) / 1000.0);
        }
    }

    @Test
    void ratesAreNullInTheFirstReadingOfARunOnly() {
        VirtualHost host = new VirtualHost(Shape.DEFAULT, Fault.NONE, 3, T0, false);
        NodeMetrics first = finish(host.sample(T0.plusSeconds(10)), T0.plusSeconds(10), 1);
        NodeMetrics second = finish(host.sample(T0.plusSeconds(20)), T0.plusSeconds(20), 2);
        assertThat(rateValues(first)).as("rates of the first reading").containsOnlyNulls();
        assertThat(rateValues(second)).as("rates of the second reading (CPU has no 'full' pressure)").isNotEmpty()
                .allMatch(v -> v != null);
        host.startRun();
        NodeMetrics restarted = finish(host.sample(T0.plusSeconds(50)), T0.plusSeconds(50), 1);
        assertThat(rateValues(restarted)).as("rates after an agent restart").containsOnlyNulls();
        assertThat(restarted.getBootId()).isEqualTo(first.getBootId());
    }

    /** Every rate field's value, except the CPU pressure's 'full' ones, which no kernel reports system-wide. */
    private static List<Object> rateValues(NodeMetrics e) {
        List<Object> values = new ArrayList<>();
        MetricFamilies.forEach(e, (family, device, record) -> {
            for (MetricField f : family.fields()) {
                if (f.kind() == io.nodepulse.family.MetricKind.RATE && !(family.name().equals("cpuPressure")
                        && f.name().startsWith("full"))) {
                    values.add(record.get(f.position()));
                }
            }
        });
        return values;
    }

    @Test
    void countersGrowByRateTimesInterval() {
        VirtualHost host = new VirtualHost(Shape.DEFAULT, Fault.NONE, 11, T0, false);
        List<NodeMetrics> events = day(host);
        double dt = STEP.toSeconds();
        for (int i = 1; i < events.size(); i++) {
            NodeMetrics a = events.get(i - 1);
            NodeMetrics b = events.get(i);
            for (int d = 0; d < 4; d++) {
                Disk x = a.getDisks().get(d);
                Disk y = b.getDisks().get(d);
                assertThat((double) (y.getReadsTotal() - x.getReadsTotal())).isCloseTo(y.getReadsPerSec() * dt, tol());
                assertThat((double) (y.getWrittenBytesTotal() - x.getWrittenBytesTotal()))
                        .isCloseTo(y.getWrittenBytesPerSec() * dt, tol());
                assertThat(y.getIoTimeSecondsTotal() - x.getIoTimeSecondsTotal())
                        .isCloseTo(y.getIoUtilization() * dt, tol());
                assertThat(y.getWeightedIoTimeSecondsTotal() - x.getWeightedIoTimeSecondsTotal())
                        .isCloseTo(y.getQueueDepth() * dt, tol());
            }
            for (int n = 0; n < 2; n++) {
                NetInterface x = a.getInterfaces().get(n);
                NetInterface y = b.getInterfaces().get(n);
                assertThat((double) (y.getRxBytesTotal() - x.getRxBytesTotal())).isCloseTo(y.getRxBytesPerSec() * dt, tol());
                assertThat((double) (y.getTxPacketsTotal() - x.getTxPacketsTotal()))
                        .isCloseTo(y.getTxPacketsPerSec() * dt, tol());
                assertThat((double) (y.getRxDropsTotal() - x.getRxDropsTotal())).isCloseTo(y.getRxDropsPerSec() * dt, tol());
            }
            assertThat((double) (b.getProcesses().getContextSwitchesTotal() - a.getProcesses().getContextSwitchesTotal()))
                    .isCloseTo(b.getProcesses().getContextSwitchesPerSec() * dt, tol());
            assertThat((double) (b.getMemory().getMajorFaultsTotal() - a.getMemory().getMajorFaultsTotal()))
                    .isCloseTo(b.getMemory().getMajorFaultsPerSec() * dt, tol());
            assertThat(b.getPressure().getIoPressure().getSomeStallSecondsTotal()
                    - a.getPressure().getIoPressure().getSomeStallSecondsTotal())
                    .isCloseTo(b.getPressure().getIoPressure().getSomeStallRatio() * dt, tol());
            // CPU: each mode's share of the time that passed on all CPUs
            double all = b.getCpu().getCount() * dt;
            assertThat((b.getCpu().getUserSecondsTotal() - a.getCpu().getUserSecondsTotal()) / all)
                    .isCloseTo(b.getCpu().getUserRatio(), tol());
            assertThat((b.getCpu().getIdleSecondsTotal() - a.getCpu().getIdleSecondsTotal()) / all)
                    .isCloseTo(b.getCpu().getIdleRatio(), tol());
            assertThat(b.getCpu().getBusyRatio()).isCloseTo(1 - b.getCpu().getIdleRatio() - b.getCpu().getIowaitRatio(),
                    tol());
            // pods present in both readings: usage grows by cores times the interval
            Map<String, Pod> before = new HashMap<>();
            a.getPods().forEach(p -> before.put(p.getUid(), p));
            for (Pod p : b.getPods()) {
                Pod q = before.get(p.getUid());
                if (q != null) {
                    assertThat(p.getCpuUsageSecondsTotal() - q.getCpuUsageSecondsTotal())
                            .isCloseTo(p.getCpuUsageCores() * dt, tol());
                    long periods = p.getCpuPeriodsTotal() - q.getCpuPeriodsTotal();
                    long throttled = p.getCpuThrottledPeriodsTotal() - q.getCpuThrottledPeriodsTotal();
                    assertThat(p.getCpuThrottledRatio()).isCloseTo(periods == 0 ? 0 : throttled / (double) periods,
                            tol());
                } else {
                    assertThat(p.getCpuUsageCores()).as("a new pod has no rate yet").isNull();
                    assertThat(p.getCpuThrottledRatio()).isNull();
                }
            }
        }
    }

    private static org.assertj.core.data.Offset<Double> tol() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }

    @Test
    void podsEndAndAreReplacedByNewOnes() {
        List<NodeMetrics> events = day(new VirtualHost(Shape.DEFAULT, Fault.NONE, 5, T0, false));
        Set<String> uids = new HashSet<>();
        events.forEach(e -> e.getPods().forEach(p -> uids.add(p.getUid())));
        assertThat(uids.size()).as("pods seen in a day (30 at a time, about 6 h each)").isGreaterThan(60);
    }

    @Test
    void loadFollowsTheTimeOfDay() {
        List<NodeMetrics> events = day(new VirtualHost(Shape.DEFAULT, Fault.NONE, 9, T0, false));
        double day = 0;
        double night = 0;
        int nDay = 0;
        int nNight = 0;
        for (NodeMetrics e : events.subList(1, events.size())) {
            int hour = e.getEventTime().atZone(java.time.ZoneOffset.UTC).getHour();
            if (hour >= 11 && hour < 17) {
                day += e.getCpu().getBusyRatio();
                nDay++;
            } else if (hour < 4 || hour >= 23) {
                night += e.getCpu().getBusyRatio();
                nNight++;
            }
        }
        assertThat(day / nDay).as("afternoon CPU versus night CPU").isGreaterThan(1.5 * night / nNight);
    }

    @Test
    void aRebootStartsTheCountersAgainWithANewBootId() {
        VirtualHost host = new VirtualHost(Shape.DEFAULT, Fault.NONE, 13, T0, false);
        NodeMetrics before = finish(host.sample(T0.plusSeconds(10)), T0.plusSeconds(10), 1);
        Instant up = T0.plusSeconds(70);
        host.reboot(up);
        NodeMetrics after = finish(host.sample(T0.plusSeconds(90)), T0.plusSeconds(90), 1);
        assertThat(after.getBootId()).isNotEqualTo(before.getBootId()).isEqualTo(host.bootId());
        assertThat(after.getLoad().getBootTime()).isEqualTo(up);
        assertThat(after.getLoad().getUptimeSeconds()).isEqualTo(20.0);
        assertThat(after.getCpu().getIdleSecondsTotal()).isLessThan(before.getCpu().getIdleSecondsTotal())
                .isLessThanOrEqualTo(after.getCpu().getCount() * 20.0);
        assertThat(after.getProcesses().getForksTotal()).isLessThan(before.getProcesses().getForksTotal());
        assertThat(after.getDisks().get(1).getReadsTotal()).isLessThan(before.getDisks().get(1).getReadsTotal());
        assertThat(rateValues(after)).containsOnlyNulls();
        assertThat(after.getFilesystems().get(0).getUsedBytes()).as("disks keep their data")
                .isGreaterThan(before.getFilesystems().get(0).getUsedBytes() / 2);
    }

    @Test
    void aRebootStartsThePressureStallTotalsAgain() {
        VirtualHost host = new VirtualHost(Shape.DEFAULT, Fault.CPU_HOG, 7, T0, false);
        host.sample(T0.plusSeconds(10));
        host.reboot(T0.plusSeconds(70));
        NodeMetrics after = finish(host.sample(T0.plusSeconds(90)), T0.plusSeconds(90), 1);
        double uptime = after.getLoad().getUptimeSeconds();
        // a stall total since boot is at most the time since boot
        for (PressureResource r : List.of(after.getPressure().getCpuPressure(),
                after.getPressure().getMemoryPressure(), after.getPressure().getIoPressure())) {
            assertThat(r.getSomeStallSecondsTotal()).isLessThanOrEqualTo(uptime);
        }
        assertThat(after.getPressure().getMemoryPressure().getFullStallSecondsTotal()).isLessThanOrEqualTo(uptime);
        assertThat(after.getPressure().getIoPressure().getFullStallSecondsTotal()).isLessThanOrEqualTo(uptime);
    }

    @Test
    void aNodeThatJustJoinedBootedAMinuteOrTwoAgo() {
        VirtualHost host = new VirtualHost(Shape.DEFAULT, Fault.NONE, 17, T0, true);
        NodeMetrics e = finish(host.sample(T0.plusSeconds(3)), T0.plusSeconds(3), 1);
        assertThat(e.getLoad().getUptimeSeconds()).isBetween(60.0, 200.0);
    }

    @Test
    void faultsKeepAnAlertRuleFiring() {
        // the bundled rules: cpu-busy avg > 0.9, memory-available-low min(available/total) < 0.1,
        // filesystem-almost-full max > 0.9, memory-pressure some avg60 > 10, io-pressure some avg60 > 25,
        // cpu-pressure some avg60 > 25; after a few minutes of warm-up every reading must meet them
        Map<Fault, List<NodeMetrics>> byFault = new HashMap<>();
        for (Fault f : Fault.values()) {
            byFault.put(f, day(new VirtualHost(Shape.DEFAULT, f, 21, T0, false)).subList(20, 2880));
        }
        assertThat(byFault.get(Fault.CPU_HOG)).allMatch(e -> e.getCpu().getBusyRatio() > 0.9
                && e.getPressure().getCpuPressure().getSomeAvg60() > 25);
        assertThat(byFault.get(Fault.MEMORY_PRESSURE)).allMatch(e -> e.getMemory().getAvailableBytes()
                < 0.1 * e.getMemory().getTotalBytes() && e.getPressure().getMemoryPressure().getSomeAvg60() > 10);
        assertThat(byFault.get(Fault.FILESYSTEM_FULL)).allMatch(e -> e.getFilesystems().stream()
                .anyMatch(f -> f.getUsedRatio() > 0.9));
        assertThat(byFault.get(Fault.IO_HOG)).allMatch(e -> e.getPressure().getIoPressure().getSomeAvg60() > 25);
        assertThat(byFault.get(Fault.NONE)).as("a healthy node trips none of them")
                .noneMatch(e -> e.getCpu().getBusyRatio() > 0.9 || e.getPressure().getIoPressure().getSomeAvg60() > 25
                        || e.getPressure().getMemoryPressure().getSomeAvg60() > 10
                        || e.getMemory().getAvailableBytes() < 0.1 * e.getMemory().getTotalBytes()
                        || e.getFilesystems().stream().anyMatch(f -> f.getUsedRatio() > 0.9));
    }

    @Test
    void theSameSeedGivesTheSameReadings() {
        VirtualHost a = new VirtualHost(Shape.DEFAULT, Fault.NONE, 99, T0, false);
        VirtualHost b = new VirtualHost(Shape.DEFAULT, Fault.NONE, 99, T0, false);
        for (int i = 1; i <= 5; i++) {
            Instant t = T0.plusSeconds(10L * i);
            assertThat(finish(a.sample(t), t, i)).isEqualTo(finish(b.sample(t), t, i));
        }
    }

    @Test
    void otherShapes() {
        VirtualHost host = new VirtualHost(new Shape(0, 5, 1, 0, 0), Fault.FILESYSTEM_FULL, 1, T0, false);
        NodeMetrics e = finish(host.sample(T0.plusSeconds(10)), T0.plusSeconds(10), 1);
        assertThat(e.getDisks()).isEmpty();
        assertThat(e.getPods()).isEmpty();
        assertThat(e.getThermalZones()).isEmpty();
        assertThat(e.getFilesystems()).extracting(Filesystem::getMountPoint)
                .containsExactly("/", "/var/lib/kubelet", "/var/lib/containerd", "/mnt/data1", "/mnt/data2");
        assertThat(e.getFilesystems().get(2).getUsedRatio()).isGreaterThan(0.9);
        GenericRecord r = e;
        assertThat(r.get("interfaces")).asList().hasSize(1);
    }
}
