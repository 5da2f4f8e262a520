package io.nodepulse.processor.window;

import static io.nodepulse.processor.Harness.START;
import static io.nodepulse.processor.Harness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.Harness;
import io.nodepulse.processor.validate.RepairHeader;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.Stat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WindowTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    /** Pushes stream time to {@code t} with an event from another node. */
    private void advanceTo(Instant t) {
        h.wallClockTo(t);
        h.send(Harness.event("clock", 1 + (t.toEpochMilli() - START.toEpochMilli()) / 10_000, t));
    }

    private List<NodeRollup> rollups(List<NodeRollup> all, String node, Instant start) {
        return all.stream().filter(r -> r.getNode().equals(node) && r.getWindowStart().equals(start)).toList();
    }

    private static NodeRollup find(List<NodeRollup> rollups, String family, String device) {
        return rollups.stream().filter(r -> r.getFamily().equals(family) && r.getDevice().equals(device))
                .findFirst().orElseThrow(() -> new AssertionError("no rollup " + family + "/" + device));
    }

    /** Expected gauge statistic computed straight from the events. */
    private static Stat expected(List<NodeMetrics> events, Function<NodeMetrics, Number> f) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        long count = 0;
        double last = 0;
        Instant lastTime = Instant.MIN;
        for (NodeMetrics e : events) {
            Number n = f.apply(e);
            if (n == null) {
                continue;
            }
            double v = n.doubleValue();
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            count++;
            if (e.getEventTime().isAfter(lastTime)) {
                lastTime = e.getEventTime();
                last = v;
            }
        }
        return new Stat(min, max, sum, count, last);
    }

    @Test
    void onTimeEventsCloseOneMinuteWindowWithExactAggregates() {
        List<NodeMetrics> minute = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            minute.add(at("n1", s(i * 10)));
        }
        minute.forEach(h::send);
        assertThat(h.rollup1m.isEmpty()).as("window still open").isTrue();

        advanceTo(START.plus(s(60 + 30)));
        List<NodeRollup> out = rollups(h.rollup1m.readValuesToList(), "n1", START);

        assertThat(out).hasSize(19);
        assertThat(out).allSatisfy(r -> {
            assertThat(r.getResolutionSeconds()).isEqualTo(60);
            assertThat(r.getWindowEnd()).isEqualTo(START.plusSeconds(60));
            assertThat(r.getSamples()).isEqualTo(6);
            assertThat(r.getLastEventTime()).isEqualTo(START.plusSeconds(50));
            assertThat(r.getCluster()).isEqualTo("c1");
        });
        NodeRollup memory = find(out, "memory", "");
        assertThat(memory.getStats().get("usedBytes"))
                .isEqualTo(expected(minute, e -> e.getMemory().getUsedBytes()));
        NodeRollup cpu = find(out, "cpu", "");
        Stat busy = cpu.getStats().get("busyRatio");
        assertThat(busy.getCount()).as("the first event of a run has no rates").isEqualTo(5);
        assertThat(busy).isEqualTo(expected(minute, e -> e.getCpu().getBusyRatio()));
        assertThat(cpu.getCounters().get("userSecondsTotal").getFirst())
                .isEqualTo(minute.get(0).getCpu().getUserSecondsTotal());
        assertThat(cpu.getCounters().get("userSecondsTotal").getLast())
                .isEqualTo(minute.get(5).getCpu().getUserSecondsTotal());
        NodeRollup fs = find(out, "filesystem", "/var/lib/kubelet");
        assertThat(fs.getAttributes()).containsEntry("fsType", "ext4").containsEntry("readOnly", "false");
        assertThat(fs.getStats().get("usedBytes")).isEqualTo(expected(minute,
                e -> e.getFilesystems().get(1).getUsedBytes()));
        NodeRollup pod = find(out, "pod", minute.get(0).getPods().get(2).getUid());
        assertThat(pod.getStats()).doesNotContainKey("cpuLimitCores").as("null in every sample");
        assertThat(pod.getAttributes()).containsEntry("qosClass", "burstable").containsEntry("name", "web-2");
        assertThat(h.metrics.windowsEmitted.get("1m")).isEqualTo(1);
    }

    @Test
    void outOfOrderWithinGraceIsAggregatedByEventTime() {
        NodeMetrics e0 = at("n1", s(0));
        NodeMetrics e50 = at("n1", s(50));
        NodeMetrics e40 = at("n1", s(40));
        h.send(e0);
        h.send(e50);
        h.send(e40);
        advanceTo(START.plus(s(90)));
        List<NodeRollup> out = rollups(h.rollup1m.readValuesToList(), "n1", START);
        NodeRollup load = find(out, "load", "");
        assertThat(load.getSamples()).isEqualTo(3);
        assertThat(load.getStats().get("load1").getLast()).as("last by event time, not arrival")
                .isEqualTo(e50.getLoad().getLoad1());
        NodeRollup memory = find(out, "memory", "");
        assertThat(memory.getCounters().get("majorFaultsTotal").getFirst())
                .isEqualTo((double) e0.getMemory().getMajorFaultsTotal());
        assertThat(memory.getCounters().get("majorFaultsTotal").getLast())
                .isEqualTo((double) e50.getMemory().getMajorFaultsTotal());
        assertThat(h.validEvents()).extracting(NodeMetrics::getEventTime).contains(e40.getEventTime());
        assertThat(h.late.isEmpty()).isTrue();
    }

    @Test
    void lateEventGoesToLateTopicWithRepairHeaderAndStillIntoTheOpenHour() {
        h.send(at("n1", s(0)));
        h.send(at("n1", s(10)));
        advanceTo(START.plus(s(90)));
        NodeMetrics straggler = at("n1", s(20));
        h.send(straggler);

        List<TestRecord<byte[], byte[]>> late = h.late.readRecordsToList();
        assertThat(late).hasSize(1);
        assertThat(Harness.header(late.get(0), RepairHeader.NAME)).isEqualTo("1m");
        assertThat(h.decode(late.get(0).value())).isEqualTo(straggler);
        assertThat(h.validEvents()).extracting(NodeMetrics::getEventTime)
                .doesNotContain(straggler.getEventTime());
        assertThat(find(rollups(h.rollup1m.readValuesToList(), "n1", START), "cpu", "").getSamples()).isEqualTo(2);
        assertThat(h.metrics.late.get("1m")).isEqualTo(1);

        // close the hour: 1-minute windows past the hour's end plus its grace must be emitted
        Instant afterHour = START.plus(Duration.ofHours(1)).plus(h.settings.windows().grace1h());
        advanceTo(afterHour.plus(s(1)));
        advanceTo(afterHour.plus(s(100)));
        List<NodeRollup> hour = rollups(h.rollup1h.readValuesToList(), "n1", START);
        assertThat(hour).hasSize(19);
        assertThat(find(hour, "cpu", "").getSamples()).as("two on time plus the straggler").isEqualTo(3);
        assertThat(find(hour, "cpu", "").getResolutionSeconds()).isEqualTo(3600);
        assertThat(find(hour, "cpu", "").getWindowEnd()).isEqualTo(START.plus(Duration.ofHours(1)));
    }

    @Test
    void eventLateForBothResolutionsIsMarkedForBothRepairs() {
        h.send(at("n1", s(0)));
        Instant afterHour = START.plus(Duration.ofHours(1)).plus(h.settings.windows().grace1h());
        advanceTo(afterHour.plus(s(100)));
        h.send(at("n1", s(30)));
        List<TestRecord<byte[], byte[]>> late = h.late.readRecordsToList();
        assertThat(late).hasSize(1);
        assertThat(Harness.header(late.get(0), RepairHeader.NAME)).isEqualTo("1m,1h");
        advanceTo(afterHour.plus(s(300)));
        assertThat(find(rollups(h.rollup1h.readValuesToList(), "n1", START), "cpu", "").getSamples())
                .as("the closed hour is not re-emitted; the sink repairs it").isEqualTo(1);
    }

    @Test
    void oneHourWindowEqualsTheMergeOfItsMinutes() {
        List<NodeMetrics> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(at("n1", s(i * 10)));
        }
        events.forEach(e -> {
            h.wallClockTo(e.getEventTime());
            h.send(e);
        });
        Instant afterHour = START.plus(Duration.ofHours(1)).plus(h.settings.windows().grace1h());
        advanceTo(afterHour.plus(s(1)));
        advanceTo(afterHour.plus(s(100)));
        List<NodeRollup> minutes = h.rollup1m.readValuesToList().stream()
                .filter(r -> r.getNode().equals("n1")).toList();
        assertThat(minutes.stream().map(NodeRollup::getWindowStart).distinct()).hasSize(5);
        List<NodeRollup> hour = rollups(h.rollup1h.readValuesToList(), "n1", START);
        NodeRollup memory = find(hour, "memory", "");
        assertThat(memory.getSamples()).isEqualTo(30);
        assertThat(memory.getStats().get("usedBytes")).isEqualTo(expected(events, e -> e.getMemory().getUsedBytes()));
        assertThat(memory.getLastEventTime()).isEqualTo(events.get(29).getEventTime());
        Map<String, Long> samplesByFamily = hour.stream().collect(Collectors.groupingBy(NodeRollup::getFamily,
                Collectors.summingLong(NodeRollup::getSamples)));
        assertThat(samplesByFamily).containsEntry("pod", 90L).containsEntry("disk", 60L);
        assertThat(h.metrics.windowsEmitted.get("1h")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void streamTimeJumpAfterASilentPartitionLosesNoWindow() {
        // the partition goes quiet after two events; the next event comes two hours later
        h.send(at("n1", s(0)));
        h.send(at("n1", s(10)));
        advanceTo(START.plus(Duration.ofHours(2)));
        List<NodeRollup> minute = rollups(h.rollup1m.readValuesToList(), "n1", START);
        assertThat(find(minute, "cpu", "").getSamples()).isEqualTo(2);
        List<NodeRollup> hour = rollups(h.rollup1h.readValuesToList(), "n1", START);
        assertThat(find(hour, "cpu", "").getSamples()).as("the hour is emitted before its segment expires")
                .isEqualTo(2);
        assertThat(h.metrics.windowsEmitted.get("1m")).as("ticks produce no rollups").isEqualTo(1);
    }

    /** The rollup application cannot decode a record of metrics.valid: it is counted, and the windows go on. */
    @Test
    void undecodableValidRecordIsCountedAndTheWindowsGoOn() {
        var in = h.rollup.createInputTopic(h.topics.metricsValid().name(),
                org.apache.kafka.common.serialization.Serdes.ByteArray().serializer(),
                org.apache.kafka.common.serialization.Serdes.ByteArray().serializer());
        in.pipeInput("n1".getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {1, 2, 3}, START);
        h.send(at("n1", s(0)));
        advanceTo(START.plus(Duration.ofMinutes(2)));
        assertThat(h.metrics.rollupSkipped.get()).isEqualTo(1.0);
        assertThat(find(rollups(h.rollup1m.readValuesToList(), "n1", START), "cpu", "").getSamples()).isEqualTo(1);
    }
}
