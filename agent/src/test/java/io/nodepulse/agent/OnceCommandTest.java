package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.MutableClock;
import io.nodepulse.wire.WireSerdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnceCommandTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void avroAllowsTheWireClasses() {
        WireSerdes.offline(); // as the agent's own start does: Avro may then copy NodeMetrics with its enums
    }

    private static NodeMetrics.Builder reading(Instant tick) {
        return NodeMetrics.newBuilder(SampleMetrics.event("x", "x", "boot-1", "x", 99, tick)).clearCluster()
                .clearNode().clearRunId().clearSeq().clearEventTime().clearIntervalMs().clearAgentVersion().clearKind();
    }

    /** Starts at {@code startMillis} past a whole second; the first wait oversleeps by {@code lateMillis}. */
    @ParameterizedTest(name = "start at .{0}")
    @ValueSource(ints = {0, 20, 500, 980, 999})
    void theSecondReadingIsTakenAFullSecondAfterTheFirst(int startMillis) throws InterruptedException {
        Instant second0 = Instant.parse("2025-01-01T12:00:00Z");
        MutableClock clock = new MutableClock(second0.plusMillis(startMillis));
        List<Instant> takenAt = new ArrayList<>();
        Sampler sampler = tick -> {
            takenAt.add(clock.instant());
            clock.advance(Duration.ofMillis(30));
            return reading(tick);
        };
        List<Instant> waits = new ArrayList<>();
        OnceCommand.Pause pause = t -> {
            waits.add(t);
            if (t.isAfter(clock.instant())) {
                clock.set(t.plusMillis(waits.size() == 1 ? 300 : 0)); // the first wait wakes up late
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AgentConfig config = AgentConfig.fromEnv(Map.of("NODEPULSE_HOST_PROC", "/proc", "NODEPULSE_HOST_SYS", "/sys",
                "NODEPULSE_HOST_ROOT", "/"), AgentConfig.Mode.ONCE, () -> "host-a", tmp);
        OnceCommand.run(config, sampler, () -> "boot-1", clock, pause, new PrintStream(out, true,
                StandardCharsets.UTF_8));

        assertThat(takenAt).hasSize(2);
        assertThat(Duration.between(takenAt.get(0), takenAt.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        Instant first = startMillis == 0 ? second0 : second0.plusSeconds(1);
        String json = out.toString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"eventTime\": \"" + first.plusSeconds(1) + "\"").contains("\"intervalMs\": 1000");
    }
}
