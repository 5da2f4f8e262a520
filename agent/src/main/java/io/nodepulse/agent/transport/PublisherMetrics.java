package io.nodepulse.agent.transport;

import io.nodepulse.ops.MetricRegistry;

/** The publisher's counters in the agent's registry. */
public final class PublisherMetrics {
    final MetricRegistry.Counter sent;
    final MetricRegistry.Counter resent;
    final MetricRegistry.Counter failures;

    public PublisherMetrics(MetricRegistry registry) {
        sent = registry.counter("nodepulse_agent_events_sent_total",
                "Events Kafka acknowledged (acks=all); they are released from the spool.");
        resent = registry.counter("nodepulse_agent_events_resent_total",
                "Events handed to the producer again: restart = spooled by an earlier run and not acknowledged "
                        + "then; retry = after a failed or timed-out delivery in this run. Only these can be "
                        + "duplicates in Kafka.", "reason");
        failures = registry.counter("nodepulse_agent_send_failures_total",
                "Failed deliveries and schema registrations, by exception class.", "error");
        resent.add(0, "restart");
        resent.add(0, "retry");
    }

    public double sent() {
        return sent.get();
    }

    public double resent(String reason) {
        return resent.get(reason);
    }

    /** Events re-sent for either reason. */
    public double resentTotal() {
        return resent.get("restart") + resent.get("retry");
    }
}
