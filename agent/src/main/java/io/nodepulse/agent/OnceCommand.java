package io.nodepulse.agent;

import io.nodepulse.agent.encode.AgentIdentity;
import io.nodepulse.agent.encode.AgentVersion;
import io.nodepulse.agent.encode.EventStamper;
import io.nodepulse.agent.encode.JsonPrinter;
import io.nodepulse.schema.NodeMetrics;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;

/**
 * {@code --once}: two readings one second apart, so rates are filled, and the second printed as plain JSON
 * (see {@link JsonPrinter}). Needs no Kafka and no spool.
 */
final class OnceCommand {
    private OnceCommand() {
    }

    static void run(AgentConfig config, Sampler sampler, Supplier<String> bootId, Clock clock, PrintStream out)
            throws InterruptedException {
        Duration gap = Duration.ofSeconds(1);
        Instant first = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        sampler.sample(first);
        Instant second = first.plus(gap);
        long wait = second.toEpochMilli() - clock.millis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        EventStamper stamper = new EventStamper(AgentIdentity.newRun(config.cluster(), config.node(),
                AgentVersion.get()), gap, bootId);
        NodeMetrics event = stamper.sample(sampler.sample(second), second);
        out.println(JsonPrinter.pretty().print(event));
        out.flush();
    }
}
