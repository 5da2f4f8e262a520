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
    private static final Duration GAP = Duration.ofSeconds(1);

    /** Waits until a wall-clock instant. */
    interface Pause {
        void until(Instant t) throws InterruptedException;
    }

    private OnceCommand() {
    }

    static void run(AgentConfig config, Sampler sampler, Supplier<String> bootId, Clock clock, PrintStream out)
            throws InterruptedException {
        run(config, sampler, bootId, clock, t -> {
            for (long ms = t.toEpochMilli() - clock.millis(); ms > 0; ms = t.toEpochMilli() - clock.millis()) {
                Thread.sleep(ms);
            }
        }, out);
    }

    /**
     * Both readings are stamped on whole seconds, like the agent's ticks; the first is taken at the next whole
     * second, the second a full second after the first was taken (a reading stamped x.000 but taken at x.980
     * would otherwise be 20 ms from the next).
     */
    static void run(AgentConfig config, Sampler sampler, Supplier<String> bootId, Clock clock, Pause pause,
                    PrintStream out) throws InterruptedException {
        Instant now = clock.instant();
        Instant first = now.truncatedTo(ChronoUnit.SECONDS);
        if (first.isBefore(now)) {
            first = first.plusSeconds(1);
        }
        pause.until(first);
        Instant firstTaken = clock.instant();
        sampler.sample(first);
        Instant second = first.plus(GAP);
        Instant notBefore = firstTaken.plus(GAP);
        pause.until(second.isAfter(notBefore) ? second : notBefore);
        EventStamper stamper = new EventStamper(AgentIdentity.newRun(config.cluster(), config.node(),
                AgentVersion.get()), GAP, bootId);
        NodeMetrics event = stamper.sample(sampler.sample(second), second);
        out.println(JsonPrinter.pretty().print(event));
        out.flush();
    }
}
