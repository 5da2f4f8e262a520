package io.nodepulse.processor.liveness;

import static io.nodepulse.processor.Harness.START;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.Harness;
import io.nodepulse.processor.PipelineTopology;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeState;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.schema.SampleMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LivenessTest {
    static final LivenessSettings SETTINGS = new LivenessSettings(3, Duration.ofMinutes(10),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofSeconds(5));
    private final Harness h = new Harness(new PipelineTopology.Settings(
            PipelineTopology.Settings.defaults().windows(), Duration.ofMinutes(5), Duration.ofDays(7), 0.05,
            SETTINGS), AlertRules.bundled());
    private final long[] seq = new long[10];

    @AfterEach
    void close() {
        h.close();
    }

    private NodeMetrics event(String node, Instant t, String boot) {
        int i = node.charAt(1) - '0';
        return SampleMetrics.event("c1", node, boot, "run-" + node, ++seq[i], t);
    }

    /** Moves the wall clock along with event time, every node in {@code nodes} reporting each 10 s. */
    private void report(Instant from, Instant to, String... nodes) {
        for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            for (String n : nodes) {
                h.send(event(n, t, "boot-" + n));
            }
        }
    }

    private List<NodeStatus> statuses(String node) {
        return h.status.readValuesToList().stream().filter(s -> s.getNode().equals(node)).toList();
    }

    private List<Alert> alerts() {
        return h.alerts.readValuesToList().stream().filter(a -> a.getRule().equals("node-down")).toList();
    }

    @Test
    void firstEventIsUpThenDownAfterThreeMissedIntervalsThenUpAgain() {
        report(START, START.plusSeconds(10), "n1", "n2");
        List<NodeStatus> first = statuses("n1");
        assertThat(first).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.UP);
            assertThat(s.getPreviousState()).isEqualTo(NodeState.UNKNOWN);
            assertThat(s.getReason()).isEqualTo("first seen");
        });
        assertThat(h.status.readKeyValuesToList()).isEmpty();

        report(START.plusSeconds(20), START.plusSeconds(40), "n2");
        assertThat(statuses("n1")).as("two missed intervals are not enough").isEmpty();
        report(START.plusSeconds(50), START.plusSeconds(60), "n2");
        assertThat(statuses("n1")).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.DOWN);
            assertThat(s.getPreviousState()).isEqualTo(NodeState.UP);
            assertThat(s.getReason()).startsWith("missed 3 intervals");
            assertThat(s.getLastSeen()).isEqualTo(START.plusSeconds(10));
        });
        List<Alert> fired = alerts();
        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.FIRING);
            assertThat(a.getNode()).isEqualTo("n1");
            assertThat(a.getSeverity()).isEqualTo("critical");
        });
        report(START.plusSeconds(70), START.plusSeconds(120), "n2");
        assertThat(alerts()).as("once per episode").isEmpty();

        report(START.plusSeconds(130), START.plusSeconds(130), "n1", "n2");
        assertThat(statuses("n1")).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.UP);
            assertThat(s.getPreviousState()).isEqualTo(NodeState.DOWN);
            assertThat(s.getReboot()).isFalse();
        });
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.getState()).isEqualTo(AlertState.RESOLVED));
        try (var all = h.ingest.<String, Object>getKeyValueStore(LivenessProcessor.STORE).all()) {
            assertThat(all).toIterable().hasSize(2);
        }
    }

    @Test
    void cleanShutdownIsStoppedWithoutAlertUntilItStaysAwayThenRetired() {
        report(START, START.plusSeconds(10), "n1", "n2");
        NodeMetrics bye = event("n1", START.plusSeconds(20), "boot-n1");
        bye.setKind(EventKind.SHUTDOWN);
        h.send(bye);
        h.status.readValuesToList();
        report(START.plusSeconds(20), START.plusSeconds(20), "n2");
        assertThat(statuses("n1")).isEmpty();

        report(START.plusSeconds(30), START.plus(Duration.ofMinutes(9)), "n2");
        h.status.readValuesToList();
        assertThat(alerts()).as("a drained node does not alert").isEmpty();

        report(START.plus(Duration.ofMinutes(9)), START.plus(Duration.ofMinutes(11)), "n2");
        assertThat(statuses("n1")).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.DOWN);
            assertThat(s.getPreviousState()).isEqualTo(NodeState.STOPPED);
        });
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.getState()).isEqualTo(AlertState.FIRING));

        report(START.plus(Duration.ofMinutes(11)), START.plus(Duration.ofMinutes(31)), "n2");
        assertThat(statuses("n1")).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.RETIRED);
            assertThat(s.getReason()).startsWith("away for more than 30m");
        });
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getSummary()).contains("retired");
        });
    }

    @Test
    void stoppedStatusIsPublishedOnShutdownEvent() {
        report(START, START, "n1");
        NodeMetrics bye = event("n1", START.plusSeconds(10), "boot-n1");
        bye.setKind(EventKind.SHUTDOWN);
        h.wallClockTo(START.plusSeconds(10));
        h.send(bye);
        List<NodeStatus> s = statuses("n1");
        assertThat(s).extracting(NodeStatus::getState).containsExactly(NodeState.UP, NodeState.STOPPED);
        assertThat(s.get(1).getReason()).contains("clean shutdown");
        // the agent starts again after the update: UP
        report(START.plusSeconds(60), START.plusSeconds(60), "n1");
        assertThat(statuses("n1")).singleElement().satisfies(x -> {
            assertThat(x.getState()).isEqualTo(NodeState.UP);
            assertThat(x.getPreviousState()).isEqualTo(NodeState.STOPPED);
        });
    }

    @Test
    void newBootIdIsRecordedAsAReboot() {
        report(START, START.plusSeconds(10), "n1");
        h.status.readValuesToList();
        h.wallClockTo(START.plusSeconds(20));
        h.send(event("n1", START.plusSeconds(20), "boot-after-reboot"));
        assertThat(statuses("n1")).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(NodeState.UP);
            assertThat(s.getReboot()).isTrue();
            assertThat(s.getBootId()).isEqualTo("boot-after-reboot");
            assertThat(s.getReason()).contains("rebooted");
        });
    }

    @Test
    void silentPartitionUsesTheWallClock() {
        report(START, START.plusSeconds(10), "n1");
        h.status.readValuesToList();
        h.wallClock(Duration.ofSeconds(25));
        assertThat(statuses("n1")).isEmpty();
        h.wallClock(Duration.ofSeconds(10));
        assertThat(statuses("n1")).extracting(NodeStatus::getState).containsExactly(NodeState.DOWN);
    }

    @Test
    void aNodeWithAFastClockDoesNotPutTheOthersDown() {
        // n3's clock runs two minutes ahead (within the accepted skew); the others report on time
        for (Instant t = START; !t.isAfter(START.plus(Duration.ofMinutes(3))); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            h.send(event("n1", t, "boot-n1"));
            h.send(event("n2", t, "boot-n2"));
            h.send(event("n3", t.plus(Duration.ofMinutes(2)), "boot-n3"));
        }
        assertThat(h.status.readValuesToList()).extracting(NodeStatus::getState)
                .as("each node comes UP once and stays").containsExactly(NodeState.UP, NodeState.UP, NodeState.UP);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aNodeWithASlowClockIsNotTakenForDown() {
        // n2's clock runs a minute behind, more than the three intervals after which a silent node is DOWN
        for (Instant t = START; !t.isAfter(START.plus(Duration.ofMinutes(3))); t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            h.send(event("n1", t, "boot-n1"));
            h.send(event("n2", t.minus(Duration.ofMinutes(1)), "boot-n2"));
        }
        assertThat(h.status.readValuesToList()).extracting(NodeStatus::getState)
                .as("each node comes UP once and stays").containsExactly(NodeState.UP, NodeState.UP);
        assertThat(alerts()).isEmpty();

        // and when it does stop, it is DOWN after three intervals of silence, as any node
        for (Instant t = START.plus(Duration.ofSeconds(190)); !t.isAfter(START.plus(Duration.ofMinutes(4)));
             t = t.plusSeconds(10)) {
            h.wallClockTo(t);
            h.send(event("n1", t, "boot-n1"));
        }
        assertThat(statuses("n2")).extracting(NodeStatus::getState).containsExactly(NodeState.DOWN);
    }

    @Test
    void anOlderEventDoesNotBringADownNodeBack() {
        report(START, START.plusSeconds(30), "n1", "n2");
        report(START.plusSeconds(40), START.plusSeconds(80), "n2");
        assertThat(statuses("n1")).extracting(NodeStatus::getState).containsExactly(NodeState.UP, NodeState.DOWN);
        alerts();

        h.send(event("n1", START.plusSeconds(25), "boot-n1"));
        assertThat(statuses("n1")).as("a straggler from before the silence").isEmpty();
        assertThat(alerts()).as("the node-down alert keeps firing").isEmpty();

        h.send(event("n1", START.plusSeconds(90), "boot-n1"));
        assertThat(statuses("n1")).extracting(NodeStatus::getState).containsExactly(NodeState.UP);
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.RESOLVED);
    }
}
