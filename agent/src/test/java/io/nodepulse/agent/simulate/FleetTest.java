package io.nodepulse.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.spool.SpoolEvent;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet API: agent-run rules (run id, seq, SHUTDOWN), lifecycle changes, duplicates and late events. */
class FleetTest {
    private static final Instant START = Instant.parse("2026-03-02T10:00:00.250Z");
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    /** Everything appended, in order, decoded, with how it was delivered. */
    private record Appended(NodeMetrics event, SpoolEvent encoded, Fleet.Delivery delivery) {
    }

    private final MutableClock wall = new MutableClock(START);
    private final EventEncoder encoder = new EventEncoder("t");
    private final List<Appended> out = new ArrayList<>();
    private SpoolEvent lastEncoded;

    private Fleet fleet(double duplicates, double late, boolean stagger) {
        Fleet.Settings s = new Fleet.Settings("c", INTERVAL, new Shape(1, 1, 1, 2, 0), duplicates, late,
                Duration.ofSeconds(30), stagger, 0, "n-", Duration.ofSeconds(10), Duration.ofSeconds(90), 1, "test+sim");
        return new Fleet(s, SimClock.realTime(wall), encoder, e -> lastEncoded = e,
                (e, d) -> out.add(new Appended(e, lastEncoded, d)));
    }

    /** Moves the wall clock in steps of a second, ticking the fleet each time. */
    private void run(Fleet fleet, Duration d) {
        for (long s = 0; s < d.toSeconds(); s++) {
            wall.advance(Duration.ofSeconds(1));
            fleet.tick();
        }
    }

    private List<NodeMetrics> of(String node) {
        return out.stream().map(Appended::event).filter(e -> e.getNode().equals(node)).toList();
    }

    @Test
    void eachNodeNumbersItsEventsFromOneOnTheTickGrid() {
        Fleet fleet = fleet(0, 0, false);
        String a = fleet.addNode(false);
        String b = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(60));
        for (String n : List.of(a, b)) {
            List<NodeMetrics> events = of(n);
            assertThat(events).hasSize(6);
            assertThat(events).extracting(NodeMetrics::getRunId).containsOnly(events.get(0).getRunId());
            for (int i = 0; i < events.size(); i++) {
                NodeMetrics e = events.get(i);
                assertThat(e.getSeq()).isEqualTo(i + 1);
                assertThat(e.getEventTime().toEpochMilli() % 10_000).as("on the interval grid").isZero();
                assertThat(e.getIntervalMs()).isEqualTo(10_000);
                assertThat(e.getCluster()).isEqualTo("c");
                assertThat(e.getAgentVersion()).isEqualTo("test+sim");
                assertThat(e.getKind()).isEqualTo(EventKind.SAMPLE);
            }
            assertThat(events.get(0).getCpu().getBusyRatio()).as("no rates in a run's first event").isNull();
            assertThat(events.get(1).getCpu().getBusyRatio()).isNotNull();
        }
        assertThat(of(a).get(0).getRunId()).isNotEqualTo(of(b).get(0).getRunId());
        // key and value are the agent's encoding
        Appended first = out.get(0);
        assertThat(new String(first.encoded().key(), StandardCharsets.UTF_8)).isEqualTo(first.event().getNode());
        assertThat(encoder.decode(first.encoded().value())).isEqualTo(first.event());
        assertThat(first.encoded().runId().toString()).isEqualTo(first.event().getRunId());
        assertThat(first.encoded().seq()).isEqualTo(first.event().getSeq());
        assertThat(fleet.node(a).currentRun().firstSeq()).isEqualTo(1);
        assertThat(fleet.node(a).currentRun().lastSeq()).isEqualTo(6);
    }

    @Test
    void aCleanStopEndsTheRunWithShutdownAndAStartBeginsANewRun() {
        Fleet fleet = fleet(0, 0, false);
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(30));
        fleet.stopNode(n);
        run(fleet, Duration.ofSeconds(30));
        List<NodeMetrics> firstRun = of(n);
        NodeMetrics last = firstRun.get(firstRun.size() - 1);
        assertThat(last.getKind()).isEqualTo(EventKind.SHUTDOWN);
        assertThat(last.getSeq()).isEqualTo(firstRun.size());
        assertThat(last.getEventTime().toEpochMilli() % 10_000).as("off the tick grid").isNotZero();
        assertThat(last.getCpu()).isNull();
        assertThat(fleet.node(n).state()).isEqualTo(Fleet.State.STOPPED);

        out.clear();
        fleet.startNode(n);
        run(fleet, Duration.ofSeconds(30));
        List<NodeMetrics> second = of(n);
        assertThat(second).isNotEmpty();
        assertThat(second.get(0).getRunId()).isNotEqualTo(last.getRunId());
        assertThat(second.get(0).getSeq()).isEqualTo(1);
        assertThat(second.get(0).getEventTime()).isAfter(last.getEventTime());
        assertThat(second.get(0).getBootId()).as("same machine, same boot").isEqualTo(last.getBootId());
        assertThat(second.get(0).getCpu().getBusyRatio()).isNull();
        assertThat(fleet.node(n).runs()).hasSize(2);
    }

    @Test
    void aStopAfterTheEndOfAFasterRunIsNotInTheFuture() {
        SimClock clock = SimClock.start(wall, 1000, Duration.ofMinutes(1));
        Fleet fleet = new Fleet(new Fleet.Settings("c", INTERVAL, new Shape(1, 1, 1, 2, 0), 0, 0,
                Duration.ofSeconds(30), false, 0, "n-", Duration.ofSeconds(10), Duration.ofSeconds(90), 1, "t"),
                clock, encoder, e -> { }, (e, d) -> out.add(new Appended(e, null, d)));
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(60));
        wall.advance(Duration.ofMillis(400)); // the simulator's end: the runner closes, then every node stops
        fleet.stopNode(n);
        NodeMetrics last = out.get(out.size() - 1).event();
        assertThat(last.getKind()).isEqualTo(EventKind.SHUTDOWN);
        assertThat(last.getEventTime()).as("SHUTDOWN at the wall clock, not 1000 x 400 ms ahead")
                .isBeforeOrEqualTo(wall.instant().plusSeconds(1));
    }

    @Test
    void eventsDueSinceTheLastTickAreMadeBeforeAStop() {
        Fleet fleet = fleet(0, 0, false);
        String n = fleet.addNode(false);
        wall.advance(Duration.ofSeconds(60)); // no tick: the runner is behind
        fleet.stopNode(n);
        List<NodeMetrics> events = of(n);
        assertThat(events).extracting(NodeMetrics::getKind).containsExactly(EventKind.SAMPLE, EventKind.SAMPLE,
                EventKind.SAMPLE, EventKind.SAMPLE, EventKind.SAMPLE, EventKind.SAMPLE, EventKind.SHUTDOWN);
        assertThat(events).extracting(NodeMetrics::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(events).extracting(NodeMetrics::getEventTime).isSorted();
    }

    @Test
    void eventsDueSinceTheLastTickAreMadeBeforeAKillRestartOrReboot() {
        Fleet fleet = fleet(0, 0, false);
        String killed = fleet.addNode(false);
        String restarted = fleet.addNode(false);
        String crashed = fleet.addNode(false);
        String rebooted = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(20));
        wall.advance(Duration.ofSeconds(30)); // three more ticks fall due, none is made yet
        fleet.killNode(killed);
        fleet.restartAgent(restarted, true);
        fleet.restartAgent(crashed, false);
        fleet.reboot(rebooted);
        assertThat(of(killed)).extracting(NodeMetrics::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(of(crashed)).extracting(NodeMetrics::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        for (String n : List.of(restarted, rebooted)) {
            List<NodeMetrics> events = of(n);
            assertThat(events).extracting(NodeMetrics::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(events.get(5).getKind()).isEqualTo(EventKind.SHUTDOWN);
            assertThat(events.get(5).getEventTime()).isAfter(events.get(4).getEventTime());
        }
    }

    @Test
    void aKilledNodeGoesSilentWithoutShutdown() {
        Fleet fleet = fleet(0, 0, false);
        String n = fleet.addNode(false);
        String other = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(30));
        int before = of(n).size();
        fleet.killNode(n);
        run(fleet, Duration.ofSeconds(60));
        assertThat(of(n)).hasSize(before).noneMatch(e -> e.getKind() == EventKind.SHUTDOWN);
        assertThat(of(other).size()).isGreaterThan(before + 5);
        assertThat(fleet.node(n).state()).isEqualTo(Fleet.State.SILENT);
        assertThatThrownBy(() -> fleet.stopNode(n)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SILENT");
        fleet.startNode(n);
        run(fleet, Duration.ofSeconds(20));
        assertThat(of(n).get(before).getSeq()).isEqualTo(1);
        assertThat(fleet.stats().wentSilent()).isEqualTo(1);
        assertThat(fleet.stats().started()).isEqualTo(1);
    }

    @Test
    void agentRestartsAreCleanOrCrashes() {
        Fleet fleet = fleet(0, 0, false);
        String clean = fleet.addNode(false);
        String crash = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(20));
        fleet.restartAgent(clean, true);
        fleet.restartAgent(crash, false);
        assertThat(fleet.node(clean).state()).isEqualTo(Fleet.State.RESTARTING);
        run(fleet, Duration.ofSeconds(40));
        List<NodeMetrics> c = of(clean);
        int shutdownAt = indexOfShutdown(c);
        assertThat(shutdownAt).isEqualTo(2);
        assertThat(c.get(shutdownAt + 1).getSeq()).isEqualTo(1);
        assertThat(c.get(shutdownAt + 1).getRunId()).isNotEqualTo(c.get(0).getRunId());
        assertThat(c.get(shutdownAt + 1).getEventTime().toEpochMilli() - c.get(shutdownAt).getEventTime().toEpochMilli())
                .as("the restart takes its time").isGreaterThanOrEqualTo(9_000);
        List<NodeMetrics> k = of(crash);
        assertThat(k).noneMatch(e -> e.getKind() == EventKind.SHUTDOWN);
        assertThat(k.get(2).getSeq()).isEqualTo(1);
        assertThat(k.get(2).getRunId()).isNotEqualTo(k.get(1).getRunId());
        assertThat(k.get(2).getBootId()).isEqualTo(k.get(1).getBootId());
        assertThat(k.get(2).getCpu().getIdleSecondsTotal()).as("the machine's counters go on")
                .isGreaterThan(k.get(1).getCpu().getIdleSecondsTotal());
    }

    private static int indexOfShutdown(List<NodeMetrics> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getKind() == EventKind.SHUTDOWN) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aRebootComesBackWithANewBootIdAfterTheDowntime() {
        Fleet fleet = fleet(0, 0, false);
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(20));
        fleet.reboot(n);
        assertThat(fleet.node(n).state()).isEqualTo(Fleet.State.REBOOTING);
        run(fleet, Duration.ofSeconds(120));
        List<NodeMetrics> e = of(n);
        int s = indexOfShutdown(e);
        NodeMetrics back = e.get(s + 1);
        assertThat(back.getBootId()).isNotEqualTo(e.get(0).getBootId());
        assertThat(back.getRunId()).isNotEqualTo(e.get(0).getRunId());
        assertThat(back.getSeq()).isEqualTo(1);
        assertThat(Duration.between(e.get(s).getEventTime(), back.getEventTime())).isGreaterThanOrEqualTo(
                Duration.ofSeconds(90));
        assertThat(back.getLoad().getUptimeSeconds()).isLessThan(60);
        assertThat(back.getCpu().getUserSecondsTotal()).isLessThan(e.get(0).getCpu().getUserSecondsTotal());
        assertThat(fleet.node(n).state()).isEqualTo(Fleet.State.UP);
        assertThat(fleet.node(n).runs()).extracting(Fleet.Run::bootId).doesNotHaveDuplicates();
    }

    @Test
    void duplicatesAreTheSameBytesAgainRightAfter() {
        Fleet fleet = fleet(1.0, 0, false);
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(40));
        fleet.stopNode(n);
        List<Appended> mine = out.stream().filter(a -> a.event().getNode().equals(n)).toList();
        assertThat(mine).hasSize(9);
        for (int i = 0; i < 8; i += 2) {
            assertThat(mine.get(i).delivery()).isEqualTo(Fleet.Delivery.SENT);
            assertThat(mine.get(i + 1).delivery()).isEqualTo(Fleet.Delivery.DUPLICATE);
            assertThat(mine.get(i + 1).encoded()).isSameAs(mine.get(i).encoded());
        }
        assertThat(mine.get(8).event().getKind()).as("SHUTDOWN is not repeated").isEqualTo(EventKind.SHUTDOWN);
        assertThat(fleet.stats().duplicates()).isEqualTo(4);
        assertThat(fleet.stats().appended()).isEqualTo(9);
        assertThat(fleet.stats().events()).isEqualTo(5);
    }

    @Test
    void lateEventsAreHeldUntilTheirWindowAndItsGraceHavePassed() {
        Fleet fleet = fleet(0, 0.3, false);
        for (int i = 0; i < 5; i++) {
            fleet.addNode(false);
        }
        List<Instant> appendTimes = new ArrayList<>();
        Map<NodeMetrics, Instant> when = new HashMap<>();
        for (int s = 0; s < 600; s++) {
            wall.advance(Duration.ofSeconds(1));
            int before = out.size();
            fleet.tick();
            for (int i = before; i < out.size(); i++) {
                when.put(out.get(i).event(), wall.instant());
                appendTimes.add(wall.instant());
            }
        }
        fleet.releaseAllHeld();
        long late = out.stream().filter(a -> a.delivery() == Fleet.Delivery.LATE).count();
        assertThat(late).isGreaterThan(20);
        for (Appended a : out) {
            if (a.delivery() == Fleet.Delivery.LATE) {
                long t = a.event().getEventTime().toEpochMilli();
                long windowEnd = (t / 60_000 + 1) * 60_000;
                assertThat(when.get(a.event()).toEpochMilli()).as("sent after window end + grace + 2 intervals")
                        .isGreaterThanOrEqualTo(windowEnd + 30_000 + 20_000);
            }
        }
        // nothing lost: every (node, run, seq) made was appended once; the on-time ones in order
        Map<String, List<Long>> onTime = new LinkedHashMap<>();
        Set<String> keys = new HashSet<>();
        for (Appended a : out) {
            NodeMetrics e = a.event();
            assertThat(keys.add(e.getNode() + "/" + e.getRunId() + "/" + e.getSeq())).isTrue();
            if (a.delivery() == Fleet.Delivery.SENT) {
                onTime.computeIfAbsent(e.getNode(), k -> new ArrayList<>()).add(e.getSeq());
            }
        }
        onTime.values().forEach(seqs -> assertThat(seqs).isSorted());
        for (Fleet.NodeView v : fleet.nodes()) {
            assertThat(keys.stream().filter(k -> k.startsWith(v.name() + "/")).count())
                    .isEqualTo(v.currentRun().lastSeq());
        }
        assertThat(fleet.stats().heldNow()).isZero();
    }

    @Test
    void heldEventsGoOutBeforeTheNodeStops() {
        Fleet fleet = fleet(0, 1.0, false);
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(30));
        assertThat(out).isEmpty();
        fleet.stopNode(n);
        assertThat(out).extracting(a -> a.event().getSeq()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(out).extracting(Appended::delivery).containsExactly(Fleet.Delivery.HELD, Fleet.Delivery.HELD,
                Fleet.Delivery.HELD, Fleet.Delivery.SENT);
        assertThat(fleet.stats().heldReleasedEarly()).isEqualTo(3);
    }

    @Test
    void staggeredNodesTickAtTheirOwnOffsets() {
        Fleet fleet = fleet(0, 0, true);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add(fleet.addNode(false));
        }
        run(fleet, Duration.ofSeconds(40));
        Set<Long> offsets = new HashSet<>();
        for (String n : names) {
            List<NodeMetrics> e = of(n);
            long offset = e.get(0).getEventTime().toEpochMilli() % 10_000;
            offsets.add(offset);
            assertThat(e).allMatch(x -> x.getEventTime().toEpochMilli() % 10_000 == offset);
            for (int i = 1; i < e.size(); i++) {
                assertThat(e.get(i).getEventTime().toEpochMilli() - e.get(i - 1).getEventTime().toEpochMilli())
                        .isEqualTo(10_000);
            }
            fleet.stopNode(n);
            NodeMetrics shutdown = of(n).get(of(n).size() - 1);
            assertThat(Math.floorMod(shutdown.getEventTime().toEpochMilli() - offset, 10_000L)).isNotZero();
        }
        assertThat(offsets.size()).as("offsets spread over the interval").isGreaterThan(10);
    }

    @Test
    void leavingNodesAreForgottenButKeepTheirRuns() {
        Fleet fleet = fleet(0, 0, false);
        String n = fleet.addNode(false);
        run(fleet, Duration.ofSeconds(20));
        fleet.leave(n, false);
        assertThat(fleet.node(n).state()).isEqualTo(Fleet.State.STOPPED);
        assertThat(fleet.node(n).currentRun().lastSeq()).isEqualTo(3);
        assertThatThrownBy(() -> fleet.startNode(n)).hasMessageContaining("left");
    }

    @Test
    void chaosKeepsTheFleetNearItsSizeAndEveryRunWellFormed() {
        Fleet fleet = fleet(0.05, 0.02, false);
        for (int i = 0; i < 30; i++) {
            fleet.addNode(false);
        }
        Chaos chaos = new Chaos(fleet, new Chaos.Rates(1.0, 0.5, 1.0, 1.0, 0.5), 30, 7);
        for (int s = 0; s < 3 * 3600; s += 5) {
            wall.advance(Duration.ofSeconds(5));
            chaos.step();
            fleet.tick();
        }
        fleet.releaseAllHeld();
        Fleet.Stats st = fleet.stats();
        assertThat(st.joined()).isGreaterThan(30);
        assertThat(st.stoppedCleanly() + st.wentSilent()).isGreaterThan(30);
        assertThat(st.reboots()).isGreaterThan(30);
        assertThat(st.restartsClean() + st.restartsCrash()).isGreaterThan(30);
        assertThat(st.up()).isBetween(15, 45);
        // every run: seq 1..n without gaps or repeats (duplicates aside), one boot id, SHUTDOWN only last
        Map<String, List<NodeMetrics>> runs = new LinkedHashMap<>();
        for (Appended a : out) {
            if (a.delivery() != Fleet.Delivery.DUPLICATE) {
                runs.computeIfAbsent(a.event().getRunId(), k -> new ArrayList<>()).add(a.event());
            }
        }
        for (List<NodeMetrics> run : runs.values()) {
            List<NodeMetrics> sorted = new ArrayList<>(run);
            sorted.sort(java.util.Comparator.comparingLong(NodeMetrics::getSeq));
            for (int i = 0; i < sorted.size(); i++) {
                assertThat(sorted.get(i).getSeq()).isEqualTo(i + 1);
                assertThat(sorted.get(i).getBootId()).isEqualTo(sorted.get(0).getBootId());
                if (i > 0) {
                    assertThat(sorted.get(i).getEventTime()).isAfter(sorted.get(i - 1).getEventTime());
                }
                if (i < sorted.size() - 1) {
                    assertThat(sorted.get(i).getKind()).isEqualTo(EventKind.SAMPLE);
                }
            }
        }
        // no two events of a node share an event time (the processor's natural key)
        Set<String> natural = new HashSet<>();
        for (List<NodeMetrics> run : runs.values()) {
            for (NodeMetrics e : run) {
                assertThat(natural.add(e.getNode() + "@" + e.getEventTime())).as(e.getNode() + " " + e.getEventTime())
                        .isTrue();
            }
        }
    }

    @Test
    void theManifestListsEveryAppendedEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.tsv");
        Fleet.Settings s = new Fleet.Settings("c", INTERVAL, Shape.DEFAULT, 0.5, 0, Duration.ofSeconds(30), false, 0,
                "m-", Duration.ofSeconds(10), Duration.ofSeconds(90), 2, "v");
        List<NodeMetrics> seen = new ArrayList<>();
        try (Manifest m = Manifest.create(file)) {
            Fleet fleet = new Fleet(s, SimClock.realTime(wall), encoder, e -> { }, (e, d) -> {
                m.appended(e, d);
                seen.add(e);
            });
            fleet.addNode(false);
            run(fleet, Duration.ofSeconds(50));
        }
        List<Manifest.Entry> entries = Manifest.read(file);
        assertThat(entries).hasSize(seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertThat(entries.get(i).node()).isEqualTo(seen.get(i).getNode());
            assertThat(entries.get(i).runId()).isEqualTo(seen.get(i).getRunId());
            assertThat(entries.get(i).seq()).isEqualTo(seen.get(i).getSeq());
            assertThat(entries.get(i).eventTime()).isEqualTo(seen.get(i).getEventTime());
        }
        assertThat(entries).anyMatch(e -> e.delivery() == Fleet.Delivery.DUPLICATE);
    }
}
