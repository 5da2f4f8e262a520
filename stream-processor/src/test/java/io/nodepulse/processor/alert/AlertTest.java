package io.nodepulse.processor.alert;

import static io.nodepulse.processor.Harness.START;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.Harness;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import io.nodepulse.schema.NodeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertTest {
    private final Harness h = new Harness();
    private long seq;

    @AfterEach
    void close() {
        h.close();
    }

    /** n1 reports every 10 s over [from, to) with {@code shape} applied to each event. */
    private void report(Instant from, Instant to, Consumer<NodeMetrics> shape) {
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            NodeMetrics e = Harness.event("n1", ++seq + 1, t);
            shape.accept(e);
            h.send(e);
        }
    }

    private static Instant min(int m) {
        return START.plus(Duration.ofMinutes(m));
    }

    private List<Alert> alerts(String rule) {
        return h.alerts.readValuesToList().stream().filter(a -> a.getRule().equals(rule)).toList();
    }

    private static void busy(NodeMetrics e, double ratio) {
        e.getCpu().setBusyRatio(ratio);
    }

    /** The fixture's second filesystem, /var/lib/kubelet, at 97 % used. */
    private static void kubeletFilesystemAlmostFull(NodeMetrics e) {
        var fs = e.getFilesystems().get(1);
        fs.setUsedBytes(fs.getSizeBytes() - (1L << 30));
        fs.setAvailableBytes(1L << 29);
        fs.setUsedRatio(0.97);
    }

    @Test
    void firesOnceAfterTheForDurationAndResolvesOnce() {
        report(min(0), min(4), e -> busy(e, 0.95));
        report(min(4), min(5), e -> busy(e, 0.95));
        assertThat(alerts("cpu-busy")).as("4 closed minutes < for 5m").isEmpty();

        report(min(5), min(9), e -> busy(e, 0.97));
        List<Alert> fired = alerts("cpu-busy");
        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getSince()).isEqualTo(min(0));
            assertThat(a.getAt()).isEqualTo(min(5));
            assertThat(a.getValue()).isGreaterThan(0.9);
            assertThat(a.getThreshold()).isEqualTo(0.9);
            assertThat(a.getSeverity()).isEqualTo("warning");
            assertThat(a.getDevice()).isNull();
            assertThat(a.getLabels()).containsEntry("category", "cpu");
        });
        assertThat(h.alerts.readKeyValuesToList()).isEmpty();

        report(min(9), min(12), e -> busy(e, 0.3));
        List<Alert> resolved = alerts("cpu-busy");
        assertThat(resolved).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getSince()).isEqualTo(min(0));
            assertThat(a.getAt()).isEqualTo(min(10));
        });
        assertThat(h.metrics.alerts.get("cpu-busy", "FIRING")).isEqualTo(1);
        assertThat(h.metrics.alerts.get("cpu-busy", "RESOLVED")).isEqualTo(1);
    }

    @Test
    void shortSpikeDoesNotFire() {
        report(min(0), min(3), e -> busy(e, 0.99));
        report(min(3), min(10), e -> busy(e, 0.2));
        assertThat(alerts("cpu-busy")).isEmpty();
        try (var all = h.rollup.<String, byte[]>getKeyValueStore(AlertEvaluator.STORE).all()) {
            assertThat(all).toIterable().as("no open episode left behind").isEmpty();
        }
    }

    @Test
    void perDeviceRuleFiresForTheFullFilesystemOnly() {
        report(min(0), min(8), AlertTest::kubeletFilesystemAlmostFull);
        List<Alert> fired = alerts("filesystem-almost-full");
        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.getDevice()).isEqualTo("/var/lib/kubelet");
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getSummary()).contains("/var/lib/kubelet").contains("n1");
        });
    }

    @Test
    void memoryAvailableRatioRuleUsesTheDivisor() {
        report(min(0), min(8), e -> {
            var m = e.getMemory();
            m.setAvailableBytes(m.getTotalBytes() / 20);
            m.setUsedBytes(m.getTotalBytes() - m.getAvailableBytes());
        });
        assertThat(alerts("memory-available-low")).singleElement()
                .satisfies(a -> assertThat(a.getValue()).isEqualTo(0.05, org.assertj.core.api.Assertions.within(1e-6)));
    }

    @Test
    void aMissingMinuteRestartsAPendingCondition() {
        report(min(0), min(3), e -> busy(e, 0.95));
        // no data at all during minute 3
        report(min(4), min(7), e -> busy(e, 0.95));
        report(min(7), min(9), e -> busy(e, 0.1));
        assertThat(alerts("cpu-busy")).as("never 5 consecutive minutes").isEmpty();
    }

    @Test
    void anAlertOfANodeThatFellSilentIsResolvedForLackOfData() {
        report(min(0), min(8), e -> busy(e, 0.95));
        assertThat(alerts("cpu-busy")).extracting(Alert::getState).containsExactly(AlertState.FIRING);
        // n1 stops reporting (powered off, scaled away); n2 keeps stream time moving
        for (Instant t = min(8); t.isBefore(min(30)); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            h.send(Harness.event("n2", ++seq + 1, t));
        }
        assertThat(alerts("cpu-busy")).singleElement().satisfies(a -> {
            assertThat(a.getNode()).isEqualTo("n1");
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getSince()).isEqualTo(min(0));
            assertThat(a.getSummary()).startsWith("resolved: no data for 10 min");
            assertThat(a.getValue()).isGreaterThan(0.9);
        });
        try (var all = h.rollup.<String, byte[]>getKeyValueStore(AlertEvaluator.STORE).all()) {
            assertThat(all).toIterable().as("no episode left behind").isEmpty();
        }
    }

    @Test
    void aNodeWithAFastClockDoesNotKeepTheOthersFromTheirRollupsAndAlerts() {
        // n3's clock runs two minutes ahead (accepted: within the future skew); n1 is busy and on time
        for (Instant t = min(0); t.isBefore(min(10)); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            NodeMetrics e = Harness.event("n1", ++seq + 1, t);
            busy(e, 0.99);
            h.send(e);
            h.send(Harness.event("n3", seq + 1, t.plus(Duration.ofMinutes(2))));
        }
        assertThat(h.late.readValuesToList()).as("nothing of n1 takes the late path").isEmpty();
        var minutes = h.rollup1m.readValuesToList();
        assertThat(minutes.stream().filter(r -> r.getNode().equals("n1") && r.getFamily().equals("cpu")).count())
                .as("n1's closed minutes are rolled up").isGreaterThanOrEqualTo(8);
        assertThat(minutes.stream().anyMatch(r -> r.getNode().equals("n3"))).as("and n3's").isTrue();
        assertThat(alerts("cpu-busy")).extracting(Alert::getNode, Alert::getState)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("n1", AlertState.FIRING));
    }

    @Test
    void anAlertOfANodeAloneOnItsPartitionIsResolvedWhenNothingArrivesAnyMore() {
        report(min(0), min(8), e -> busy(e, 0.95));
        assertThat(alerts("cpu-busy")).extracting(Alert::getState).containsExactly(AlertState.FIRING);
        // n1 is switched off and nothing else arrives: stream time stands still, the wall clock goes on
        h.wallClock(Duration.ofMinutes(9));
        assertThat(alerts("cpu-busy")).as("not yet ten minutes without data").isEmpty();
        h.wallClock(Duration.ofMinutes(2));
        assertThat(alerts("cpu-busy")).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getSummary()).startsWith("resolved: no data for 10 min");
        });
        try (var all = h.rollup.<String, byte[]>getKeyValueStore(AlertEvaluator.STORE).all()) {
            assertThat(all).toIterable().isEmpty();
        }
    }

    @Test
    void anAlertOfAFilesystemThatWentAwayIsResolvedForLackOfData() {
        report(min(0), min(8), AlertTest::kubeletFilesystemAlmostFull);
        assertThat(alerts("filesystem-almost-full")).extracting(Alert::getState).containsExactly(AlertState.FIRING);
        // the node goes on reporting, without that filesystem (unmounted)
        report(min(8), min(25), e -> e.getFilesystems().remove(1));
        assertThat(alerts("filesystem-almost-full")).singleElement().satisfies(a -> {
            assertThat(a.getDevice()).isEqualTo("/var/lib/kubelet");
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getSummary()).startsWith("resolved: no data");
        });
    }
}
