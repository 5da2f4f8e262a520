package io.nodepulse.agent.encode;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventStamperTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private final AgentIdentity identity = new AgentIdentity("prod", "worker-7",
            UUID.fromString("7e57a9e1-0000-4000-8000-000000000001"), "1.2.3");
    private final EventStamper stamper = new EventStamper(identity, Duration.ofSeconds(10), () -> "boot-now");

    private static NodeMetrics.Builder reading(String bootId) {
        return NodeMetrics.newBuilder(SampleMetrics.event("x", "x", bootId, "x", 99, T0)).clearCluster()
                .clearNode().clearRunId().clearSeq().clearEventTime().clearIntervalMs().clearAgentVersion().clearKind();
    }

    @Test
    void stampsIdentityAndNumbersEventsFromOne() {
        NodeMetrics first = stamper.sample(reading("boot-1"), T0);
        NodeMetrics second = stamper.sample(reading("boot-1"), T0.plusSeconds(10));
        assertThat(first.getSeq()).isEqualTo(1);
        assertThat(second.getSeq()).isEqualTo(2);
        assertThat(first.getCluster()).isEqualTo("prod");
        assertThat(first.getNode()).isEqualTo("worker-7");
        assertThat(first.getRunId()).isEqualTo("7e57a9e1-0000-4000-8000-000000000001");
        assertThat(first.getAgentVersion()).isEqualTo("1.2.3");
        assertThat(first.getIntervalMs()).isEqualTo(10_000);
        assertThat(first.getEventTime()).isEqualTo(T0);
        assertThat(first.getKind()).isEqualTo(EventKind.SAMPLE);
        assertThat(first.getBootId()).as("the reading's boot id").isEqualTo("boot-1");
        assertThat(first.getCpu()).isNotNull();
    }

    @Test
    void theShutdownEventContinuesTheSequenceOffTheTickGrid() {
        stamper.sample(reading("boot-1"), T0);
        NodeMetrics onTick = stamper.shutdown(T0.plusSeconds(10));
        assertThat(onTick.getSeq()).isEqualTo(2);
        assertThat(onTick.getKind()).isEqualTo(EventKind.SHUTDOWN);
        assertThat(onTick.getEventTime()).isEqualTo(T0.plusSeconds(10).plusMillis(1));
        assertThat(onTick.getBootId()).isEqualTo("boot-now");
        assertThat(onTick.getCpu()).isNull();
        assertThat(onTick.getCollectors()).isEmpty();
        assertThat(stamper.lastSeq()).isEqualTo(2);
    }

    @Test
    void theShutdownEventIsNeverBeforeTheLastTick() {
        EventStamper s = new EventStamper(identity, Duration.ofSeconds(10), () -> "b");
        s.sample(reading("b"), T0);
        assertThat(s.shutdown(T0.minusMillis(300)).getEventTime()).isEqualTo(T0.plusMillis(1));
        EventStamper fresh = new EventStamper(identity, Duration.ofSeconds(10), () -> "b");
        assertThat(fresh.shutdown(T0.plusMillis(4321)).getEventTime()).isEqualTo(T0.plusMillis(4321));
        assertThat(fresh.lastSeq()).isEqualTo(1);
    }

    @Test
    void encodedEventsCarryTheNodeAsKeyAndDecodeBack() {
        EventEncoder encoder = new EventEncoder("np.metrics");
        NodeMetrics event = stamper.sample(reading("boot-1"), T0);
        io.nodepulse.agent.spool.SpoolEvent spooled = encoder.encode(event);
        assertThat(new String(spooled.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("worker-7");
        assertThat(spooled.runId()).isEqualTo(identity.runId());
        assertThat(spooled.seq()).isEqualTo(1);
        assertThat(spooled.value()[0]).isEqualTo((byte) 0xC3);
        assertThat(encoder.decode(spooled.value())).isEqualTo(event);
    }
}
