package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.AppProcess;
import io.nodepulse.testkit.KafkaProcess;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker dies (kill -9) while the agent runs, stays down for a while and comes back: every (run id, seq)
 * reaches Kafka at least once and in order, duplicates are only events the agent counted and logged as
 * re-sent, and collection never stops. Uses a private broker, never the shared one.
 */
class BrokerOutageIT {
    private static final int OUTAGE_TICKS = 20;

    @TempDir
    Path tmp;

    @Test
    void everyEventArrivesInOrderAfterAnOutageAndDuplicatesAreOnlyResentOnes() throws Exception {
        try (KafkaProcess broker = KafkaProcess.create(tmp)) {
            broker.start(Duration.ofSeconds(120));
            Topics topics = new Topics("outage.", WireSerdes.offline());
            try (Admin admin = Admin.create(broker.kafkaConfig())) {
                TopicAdmin.createMissing(admin, topics, 1, (short) 1, Duration.ofSeconds(30));
            }
            String node = "it-outage-" + UUID.randomUUID().toString().substring(0, 8);
            Map<String, String> env = AgentProcess.hostEnv(node, tmp.resolve("spool"), topics.prefix(),
                    broker.bootstrapServers());
            env.put("KAFKA_DELIVERY_TIMEOUT_MS", "8000");
            env.put("KAFKA_REQUEST_TIMEOUT_MS", "3000");
            env.put("KAFKA_RECONNECT_BACKOFF_MAX_MS", "1000");
            try (MetricsTopicReader reader = new MetricsTopicReader(broker.bootstrapServers(), topics.metrics().name());
                 AgentProcess agent = AgentProcess.start(env, AgentProcess.logFile("BrokerOutageIT-agent"))) {
                AppProcess app = agent.app();
                app.await(() -> reader.events().size() >= 3, Duration.ofSeconds(60), "three delivered events");

                broker.kill();
                double spooledAtKill = agent.metric("nodepulse_agent_events_spooled_total");
                app.await(() -> agent.metric("nodepulse_agent_events_spooled_total") >= spooledAtKill + OUTAGE_TICKS,
                        Duration.ofSeconds(OUTAGE_TICKS * 3L), "collection to go on while Kafka is down");
                assertThat(agent.metric("nodepulse_agent_events_sent_total"))
                        .as("nothing is acknowledged while the broker is down")
                        .isLessThanOrEqualTo(agent.metric("nodepulse_agent_events_spooled_total") - OUTAGE_TICKS);
                broker.start(Duration.ofSeconds(120));

                double spooledAtRestart = agent.metric("nodepulse_agent_events_spooled_total");
                app.await(() -> maxSeq(reader.events()) >= spooledAtRestart, Duration.ofSeconds(90),
                        "the events spooled during the outage to arrive");
                String metrics = agent.metrics();
                assertThat(app.terminate(Duration.ofSeconds(30))).isEqualTo(143);
                app.awaitEvenIfExited(() -> reader.events().stream().anyMatch(e -> e.getKind() == EventKind.SHUTDOWN),
                        Duration.ofSeconds(30), "the SHUTDOWN event");

                List<NodeMetrics> delivered = reader.events();
                Map<Long, NodeMetrics> firsts = new LinkedHashMap<>();
                List<Long> duplicateSeqs = new ArrayList<>();
                for (NodeMetrics e : delivered) {
                    assertThat(e.getNode()).isEqualTo(node);
                    if (firsts.putIfAbsent(e.getSeq(), e) != null) {
                        duplicateSeqs.add(e.getSeq());
                    }
                }
                String run = delivered.get(0).getRunId();
                assertThat(delivered).allSatisfy(e -> assertThat(e.getRunId()).isEqualTo(run));
                long last = firsts.size();
                assertThat(firsts.keySet()).as("every seq at least once, first occurrences in order")
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
                assertThat(firsts.get(last).getKind()).isEqualTo(EventKind.SHUTDOWN);

                long[] summary = agent.summary();
                assertThat(summary[4]).as("dropped").isZero();
                assertThat((long) duplicateSeqs.size()).as("duplicates <= events counted as re-sent")
                        .isLessThanOrEqualTo(summary[3]);
                Set<String> resent = new HashSet<>(agent.resentKeys());
                for (long seq : duplicateSeqs) {
                    assertThat(resent).as("duplicate seq %d was logged as re-sent", seq).contains(run + "/" + seq);
                }

                long skipped = (long) AppProcess.metric(metrics, "nodepulse_agent_ticks_skipped_total");
                long gaps = 0;
                NodeMetrics prev = null;
                for (NodeMetrics e : firsts.values()) {
                    if (e.getKind() != EventKind.SAMPLE) {
                        continue;
                    }
                    if (prev != null) {
                        gaps += (e.getEventTime().toEpochMilli() - prev.getEventTime().toEpochMilli()) / 1000 - 1;
                    }
                    prev = e;
                }
                assertThat(gaps).as("every tick produced an event or was counted as skipped").isEqualTo(skipped);
            }
        }
    }

    private static long maxSeq(List<NodeMetrics> events) {
        return events.stream().mapToLong(NodeMetrics::getSeq).max().orElse(0);
    }
}
