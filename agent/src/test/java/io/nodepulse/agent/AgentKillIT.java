package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolRecord;
import io.nodepulse.agent.spool.SpoolSettings;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.AppProcess;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the agent while Kafka is unreachable: every event it spooled (fsync=always) reaches Kafka after
 * the restart, in order and before the new run's events.
 */
@WithStack
class AgentKillIT {
    @TempDir
    Path tmp;

    @Test
    void everyEventSpooledBeforeAKill9IsDeliveredAfterTheRestartInOrder(Stack stack) throws Exception {
        Topics topics = new Topics(stack.topicPrefix(), WireSerdes.offline());
        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            TopicAdmin.createMissing(admin, topics, 1, (short) 1, Duration.ofSeconds(30));
        }
        String node = "it-kill-" + UUID.randomUUID().toString().substring(0, 8);
        Path spoolDir = tmp.resolve("spool");

        Map<String, String> unreachable = AgentProcess.hostEnv(node, spoolDir, stack.topicPrefix(),
                "127.0.0.1:" + AppProcess.freePort());
        unreachable.put("NODEPULSE_SPOOL_FSYNC", "always");
        List<NodeMetrics> spooled;
        try (AgentProcess first = AgentProcess.start(unreachable, AgentProcess.logFile("AgentKillIT-agent-1"))) {
            first.app().await(() -> first.metric("nodepulse_agent_events_spooled_total") >= 5,
                    Duration.ofSeconds(60), "five spooled events");
            assertThat(first.get("/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = first.get("/readyz");
            assertThat(ready.statusCode()).as("spooling within budget while Kafka is away is ready: %s",
                    ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("collection: ok").contains("spool: ").contains("kafka: ");
            assertThat(first.metric("nodepulse_agent_events_sent_total")).isZero();
            first.app().kill9();
            spooled = readSpool(spoolDir, topics.metrics().name());
            assertThat(first.app().log()).doesNotContain("stopping:");
        }
        assertThat(spooled).hasSizeGreaterThanOrEqualTo(5);
        String run1 = spooled.get(0).getRunId();
        assertThat(spooled).allSatisfy(e -> assertThat(e.getRunId()).isEqualTo(run1));
        assertThat(spooled).extracting(NodeMetrics::getSeq)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, spooled.size()).mapToObj(i -> (long) i).toList());

        try (MetricsTopicReader reader = new MetricsTopicReader(stack.bootstrapServers(), topics.metrics().name())) {
            assertThat(reader.events()).as("nothing reached Kafka while it was unreachable").isEmpty();
            AgentProcess second = AgentProcess.start(AgentProcess.hostEnv(node, spoolDir, stack.topicPrefix(),
                    stack.bootstrapServers()), AgentProcess.logFile("AgentKillIT-agent-2"));
            try (second) {
                AppProcess app = second.app();
                app.await(() -> reader.events().stream().filter(e -> !e.getRunId().equals(run1)).count() >= 3,
                        Duration.ofSeconds(90), "the spooled events and three of the new run");
                assertThat(app.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isEqualTo(143);
                app.awaitEvenIfExited(() -> reader.events().stream().anyMatch(e -> e.getKind() == EventKind.SHUTDOWN),
                        Duration.ofSeconds(30), "the SHUTDOWN event");
            }
            List<NodeMetrics> delivered = reader.events();
            List<String> keys = delivered.stream().map(e -> e.getRunId() + "/" + e.getSeq()).toList();
            List<String> firsts = keys.stream().distinct().toList();

            List<String> expectedRun1 = spooled.stream().map(e -> e.getRunId() + "/" + e.getSeq()).toList();
            assertThat(firsts.subList(0, expectedRun1.size())).as("the first run's events, first and in order")
                    .containsExactlyElementsOf(expectedRun1);
            List<NodeMetrics> run2 = new ArrayList<>();
            for (NodeMetrics e : delivered) {
                if (!e.getRunId().equals(run1) && run2.stream().noneMatch(x -> x.getSeq() == e.getSeq())) {
                    run2.add(e);
                }
            }
            assertThat(run2).extracting(NodeMetrics::getSeq).as("the second run's events, in order, none missing")
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, run2.size()).mapToObj(i -> (long) i).toList());
            assertThat(run2.get(run2.size() - 1).getKind()).isEqualTo(EventKind.SHUTDOWN);
            assertThat(run2.subList(0, run2.size() - 1)).allSatisfy(e -> assertThat(e.getKind())
                    .isEqualTo(EventKind.SAMPLE));
            assertThat(delivered).allSatisfy(e -> assertThat(e.getNode()).isEqualTo(node));
            assertThat(delivered).filteredOn(e -> e.getKind() == EventKind.SAMPLE)
                    .allSatisfy(e -> assertThat(e.getEventTime().toEpochMilli() % 1000).isZero());

            long duplicates = keys.size() - firsts.size();
            assertThat(duplicates).as("duplicates are only re-sent events").isLessThanOrEqualTo(second.summary()[3]);
            assertThat(second.resentKeys()).as("the first run's events were re-sent after the restart")
                    .containsAll(expectedRun1);
            assertThat(second.summary()[3]).isGreaterThanOrEqualTo(expectedRun1.size());
        }
    }

    /** Every event in the spool directory, as the next start will read it. */
    private static List<NodeMetrics> readSpool(Path dir, String topic) throws Exception {
        EventEncoder decoder = new EventEncoder(topic);
        List<NodeMetrics> out = new ArrayList<>();
        try (Spool spool = Spool.open(SpoolSettings.of(dir, 256L << 20, FsyncPolicy.NEVER, Duration.ofSeconds(1))
                .withLockWait(Duration.ofSeconds(10)), new SpoolMetrics(new MetricRegistry()))) {
            while (true) {
                List<SpoolRecord> batch = spool.next(100, Long.MAX_VALUE);
                if (batch.isEmpty()) {
                    return out;
                }
                for (SpoolRecord r : batch) {
                    out.add(decoder.decode(r.event().value()));
                }
            }
        }
    }
}
