package io.nodepulse.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.simulate.Chaos;
import io.nodepulse.agent.simulate.Fleet;
import io.nodepulse.agent.simulate.Shape;
import io.nodepulse.agent.simulate.SimClock;
import io.nodepulse.processor.validate.Problem;
import io.nodepulse.processor.validate.Validator;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every event the simulator makes passes the processor's own validation (its defaults: 5 minutes of future
 * skew, 7 days of age, 5 % ratio tolerance) at the moment it is appended, over six simulated hours of a fleet
 * with every fault, churn, reboots, agent restarts, duplicates and late events.
 */
class SimulatedEventsAreValidTest {

    @Test
    void theProcessorAcceptsEverySimulatedEvent() {
        MutableClock wall = new MutableClock(Instant.parse("2026-03-02T08:00:00Z"));
        Validator validator = new Validator(Duration.ofMinutes(5), Duration.ofDays(7), 0.05);
        List<String> problems = new ArrayList<>();
        long[] checked = new long[1];
        Fleet fleet = new Fleet(new Fleet.Settings("sim", Duration.ofSeconds(10), Shape.DEFAULT, 0.02, 0.02,
                Duration.ofSeconds(30), true, 0.3, "sim-", Duration.ofSeconds(10), Duration.ofSeconds(90), 3, "test"),
                SimClock.realTime(wall), new EventEncoder("t"), e -> { }, (NodeMetrics e, Fleet.Delivery d) -> {
                    checked[0]++;
                    Problem p = validator.check(e.getNode().getBytes(java.nio.charset.StandardCharsets.UTF_8), e,
                            wall.millis());
                    if (p != null && problems.size() < 20) {
                        problems.add(e.getNode() + " seq " + e.getSeq() + " at " + e.getEventTime() + ": " + p);
                    }
                });
        for (int i = 0; i < 40; i++) {
            fleet.addNode(false);
        }
        Chaos chaos = new Chaos(fleet, new Chaos.Rates(0.5, 0.3, 0.5, 0.5, 0.3), 40, 11);
        for (int s = 0; s < 6 * 3600; s += 5) {
            wall.advance(Duration.ofSeconds(5));
            chaos.step();
            fleet.tick();
        }
        fleet.releaseAllHeld();
        assertThat(problems).as("events the processor would reject").isEmpty();
        assertThat(checked[0]).isGreaterThan(80_000);
        assertThat(fleet.stats().late()).isPositive();
        assertThat(fleet.stats().reboots()).isPositive();
    }
}
