package io.nodepulse.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.simulate.Fault;
import io.nodepulse.agent.simulate.Fleet;
import io.nodepulse.agent.simulate.FleetOutput;
import io.nodepulse.agent.simulate.FleetRunner;
import io.nodepulse.agent.simulate.Manifest;
import io.nodepulse.agent.simulate.Shape;
import io.nodepulse.agent.simulate.SimClock;
import io.nodepulse.agent.simulate.SimulatorConfig;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.AppProcess;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.TopicReader;
import io.nodepulse.testkit.WithStack;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the local stack, as a user runs it: the packaged processor (Streams and sink, a child
 * JVM), one real agent reading this host (a child JVM), and virtual nodes from the fleet simulator (in this JVM,
 * through the agent's spool and producer), all under this class's topic prefix and database. Intervals are 1 s,
 * DOWN comes after 3 missed intervals, and the 1-minute grace is 5 s, so the test takes about three minutes.
 * <ol>
 *   <li>every node has raw rows, 1-minute rollups and a status; the CPU-hog virtual node has a firing alert;</li>
 *   <li>the agent is killed (SIGKILL) and a virtual node goes silent: both DOWN with a firing node-down alert;</li>
 *   <li>both start again: UP, and the node-down alerts are RESOLVED;</li>
 *   <li>the agent gets SIGTERM and a virtual node stops cleanly: both STOPPED, no node-down alert while the
 *       other nodes keep reporting;</li>
 *   <li>a new virtual node joins: it appears without any configuration change;</li>
 *   <li>every (node, run id, seq) produced (the simulator's manifest, the agent's events in the metrics topic)
 *       has exactly one row in {@code nodepulse.node_events}, with duplicates and late events injected on the
 *       way; the processor rejected nothing.</li>
 * </ol>
 * Only observable behaviour is asserted; waits poll with generous deadlines.
 */
@WithStack
class PipelineEndToEndIT {
    private static final String CLUSTER = "e2e";
    private static final String HOST = "e2e-host";
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final String RULES = """
            rules:
              - name: cpu-busy
                metric: cpu.busyRatio
                stat: avg
                comparator: ">"
                threshold: 0.9
                severity: warning
                summary: "CPU of {node} is {value} busy on average (above {threshold})"
              - name: node-down
                kind: node-down
                severity: critical
                summary: "node {node} stopped reporting"
            """;

    private Stack stack;
    private AppProcess processor;
    private int processorPort;

    @Test
    void virtualNodesAndARealAgentGoThroughTheWholePipeline(Stack stack, @TempDir Path work) throws Exception {
        this.stack = stack;
        Path rules = Files.writeString(work.resolve("rules.yaml"), RULES);
        processorPort = AppProcess.freePort();
        Map<String, String> extra = new HashMap<>();
        extra.put("NODEPULSE_TOPIC_PARTITIONS", "3");
        extra.put("NODEPULSE_DOWN_AFTER_MISSED", "3");
        extra.put("NODEPULSE_LIVENESS_CHECK_INTERVAL", "1s");
        extra.put("NODEPULSE_ROLLUP_GRACE_1M", "5s");
        extra.put("NODEPULSE_ROLLUP_GRACE_1H", "1m");
        extra.put("NODEPULSE_REPAIR_SETTLE", "1s");
        extra.put("NODEPULSE_REPAIR_INTERVAL", "1s");
        extra.put("NODEPULSE_RETENTION_ENABLED", "false");
        extra.put("NODEPULSE_ROCKSDB_CACHE_BYTES", "64MiB");
        extra.put("NODEPULSE_ROCKSDB_WRITE_BUFFER_BYTES", "32MiB");
        extra.put("NODEPULSE_ALERT_RULES_FILE", rules.toString());
        Pipeline.Target target = new Pipeline.Target(stack.bootstrapServers(), stack.topicPrefix(), stack.jdbcUrl(),
                stack.owner().user(), stack.owner().password(), stack.writer().user(), stack.writer().password(),
                stack.reader().user());
        processor = Pipeline.startProcessor(Pipeline.processorEnv(target, work, processorPort, extra), work,
                List.of("-Xms64m", "-Xmx512m"));
        List<AppProcess> agents = new ArrayList<>();
        try {
            processor.awaitHttpOk(processorPort, "/readyz", Duration.ofMinutes(3));
            run(work, agents);
        } finally {
            agents.forEach(AppProcess::close);
            if (processor.isAlive()) {
                processor.terminate(Duration.ofSeconds(90));
            }
        }
    }

    private void run(Path work, List<AppProcess> agents) throws Exception {
        Path simSpool = work.resolve("sim-spool");
        SimulatorConfig config = SimulatorConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                "NODEPULSE_TOPIC_PREFIX", stack.topicPrefix(), "NODEPULSE_SPOOL_DIR", simSpool.toString()));
        Path manifestFile = work.resolve("manifest.tsv");
        Path agentSpool = work.resolve("agent-spool");
        int agentPort = AppProcess.freePort();
        Map<String, String> agentEnv = Pipeline.agentEnv(stack.bootstrapServers(), stack.topicPrefix(), CLUSTER, HOST,
                agentSpool, agentPort, "1s");
        Fleet fleet;
        try (FleetOutput output = FleetOutput.open(config, simSpool, "e2e-simulator");
             Manifest manifest = Manifest.create(manifestFile)) {
            fleet = new Fleet(new Fleet.Settings(CLUSTER, Duration.ofSeconds(1), new Shape(2, 2, 1, 5, 1), 0.1, 0.05,
                    Duration.ofSeconds(5), false, 0, "sim-", Duration.ofSeconds(2), Duration.ofSeconds(5), 42,
                    "e2e+sim"), SimClock.realTime(Clock.systemUTC()), new EventEncoder(output.metricsTopic()),
                    output, manifest);
            for (String n : List.of("sim-a", "sim-b", "sim-c")) {
                fleet.addNode(n, Fault.NONE, false);
            }
            fleet.addNode("sim-hog", Fault.CPU_HOG, false);
            try (FleetRunner runner = new FleetRunner(fleet, null).start()) {
                agents.add(Pipeline.startAgent(agentEnv, work, work.resolve("agent-1.log")));

                // 1. every node in the raw, 1-minute and status tables; the CPU hog's metric alert fires
                List<String> all = List.of("sim-a", "sim-b", "sim-c", "sim-hog", HOST);
                String in = inList(all);
                awaitTrue("raw rows of every node", "SELECT count(DISTINCT node) = 5 FROM nodepulse.node_events "
                        + "WHERE cluster = 'e2e' AND node IN " + in);
                awaitTrue("CPU, memory and filesystem rows of every node", "SELECT (SELECT count(DISTINCT node) FROM "
                        + "nodepulse.cpu_raw WHERE cluster = 'e2e' AND node IN " + in + ") = 5 AND (SELECT count("
                        + "DISTINCT node) FROM nodepulse.memory_raw WHERE cluster = 'e2e' AND node IN " + in
                        + ") = 5 AND (SELECT count(DISTINCT node) FROM nodepulse.filesystem_raw WHERE cluster = "
                        + "'e2e' AND node IN " + in + ") = 5");
                awaitTrue("pod rows of the virtual nodes", "SELECT count(DISTINCT node) = 4 FROM nodepulse.pod_raw "
                        + "WHERE cluster = 'e2e' AND node LIKE 'sim-%'");
                awaitTrue("a status of every node", "SELECT count(DISTINCT node) = 5 FROM "
                        + "nodepulse.node_status_history WHERE cluster = 'e2e' AND state = 'UP' AND node IN " + in);
                awaitTrue("1-minute rollups of every node", "SELECT count(DISTINCT node) = 5 FROM nodepulse.cpu_1m "
                        + "WHERE cluster = 'e2e' AND node IN " + in);
                awaitTrue("1-minute disk rollups of the virtual nodes", "SELECT count(DISTINCT node) = 4 FROM "
                        + "nodepulse.disk_1m WHERE cluster = 'e2e' AND node LIKE 'sim-%'");
                awaitTrue("the CPU hog's cpu-busy alert", "SELECT count(*) = 1 FROM nodepulse.active_alerts WHERE "
                        + "cluster = 'e2e' AND node = 'sim-hog' AND rule = 'cpu-busy'");
                assertThat(query("SELECT count(*) FROM nodepulse.active_alerts WHERE cluster = 'e2e' AND rule = "
                        + "'cpu-busy' AND node IN ('sim-a', 'sim-b', 'sim-c')"))
                        .as("healthy virtual nodes have no cpu-busy alert").isEqualTo(0);
                assertThat(query("SELECT count(*) FROM nodepulse.nodes WHERE cluster = 'e2e' AND status = 'UP'"))
                        .isEqualTo(5);

                // 2. the agent is killed, a virtual node goes silent: DOWN, node-down fires
                agents.get(0).kill9();
                fleet.killNode("sim-b");
                String killed = inList(List.of(HOST, "sim-b"));
                awaitTrue("DOWN after the kill", "SELECT count(*) = 2 FROM nodepulse.nodes WHERE cluster = 'e2e' AND "
                        + "status = 'DOWN' AND node IN " + killed);
                awaitTrue("node-down alerts", "SELECT count(*) = 2 FROM nodepulse.active_alerts WHERE cluster = 'e2e' "
                        + "AND rule = 'node-down' AND node IN " + killed);

                // 3. both start again: UP, alerts resolved
                agents.add(Pipeline.startAgent(agentEnv, work, work.resolve("agent-2.log")));
                fleet.startNode("sim-b");
                awaitTrue("UP again", "SELECT count(*) = 2 FROM nodepulse.nodes WHERE cluster = 'e2e' AND status = "
                        + "'UP' AND node IN " + killed);
                awaitTrue("node-down resolved", "SELECT (SELECT count(DISTINCT node) FROM nodepulse.alerts WHERE "
                        + "cluster = 'e2e' AND rule = 'node-down' AND state = 'RESOLVED' AND node IN " + killed
                        + ") = 2 AND (SELECT count(*) FROM nodepulse.active_alerts WHERE cluster = 'e2e' AND rule = "
                        + "'node-down') = 0");
                assertThat(query("SELECT count(DISTINCT run_id) FROM nodepulse.node_events WHERE cluster = 'e2e' AND "
                        + "node = '" + HOST + "'")).as("the restarted agent is a new run").isEqualTo(2);

                // 4. clean stops: STOPPED, and no alert while the others keep reporting
                String stopped = inList(List.of(HOST, "sim-c"));
                String firing = "SELECT count(*) FROM nodepulse.alerts WHERE cluster = 'e2e' AND rule = 'node-down' "
                        + "AND state = 'FIRING' AND node IN " + stopped;
                long firingBefore = query(firing);
                assertThat(agents.get(1).terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM")
                        .isEqualTo(143);
                fleet.stopNode("sim-c");
                Instant stoppedAt = Instant.now();
                awaitTrue("STOPPED after a clean stop", "SELECT count(*) = 2 FROM nodepulse.nodes WHERE cluster = "
                        + "'e2e' AND status = 'STOPPED' AND node IN " + stopped);
                awaitTrue("the others report on for 15 intervals", "SELECT max(time) > '" + stoppedAt.plusSeconds(15)
                        + "' FROM nodepulse.node_events WHERE cluster = 'e2e' AND node = 'sim-a'");
                assertThat(query("SELECT count(*) FROM nodepulse.nodes WHERE cluster = 'e2e' AND status = 'STOPPED' "
                        + "AND node IN " + stopped)).as("still STOPPED, not DOWN").isEqualTo(2);
                assertThat(query(firing)).as("no node-down alert for a clean stop").isEqualTo(firingBefore);
                assertThat(query("SELECT count(*) FROM nodepulse.active_alerts WHERE cluster = 'e2e' AND rule = "
                        + "'node-down'")).isZero();

                // 5. a node joins mid-run: it appears with no configuration change
                fleet.addNode("sim-new", Fault.NONE, true);
                awaitTrue("the new node", "SELECT count(*) = 1 FROM nodepulse.nodes WHERE cluster = 'e2e' AND node = "
                        + "'sim-new' AND status = 'UP'");
                awaitTrue("the new node's rows", "SELECT count(*) > 0 FROM nodepulse.cpu_raw WHERE cluster = 'e2e' AND "
                        + "node = 'sim-new'");

                // late events are held about a minute; let some go out late before the end
                awaitCondition("late events sent", () -> fleet.stats().late() >= 3);
            }
            fleet.releaseAllHeld();
            for (String n : fleet.names(Fleet.State.UP)) {
                fleet.stopNode(n);
            }
            assertThat(output.drain(Duration.ofSeconds(60))).as("the simulator's spool drained").isTrue();
            assertThat(output.dropped()).isZero();
        }
        Fleet.Stats stats = fleet.stats();
        assertThat(stats.duplicates()).as("duplicates injected").isPositive();
        assertThat(stats.late()).as("late events injected").isPositive();

        // 6. reconcile: exactly one raw row per (node, run id, seq) produced
        Map<String, Long> expected = new TreeMap<>();
        for (Manifest.Entry e : Manifest.read(manifestFile)) {
            expected.put(e.node() + "/" + e.runId() + "/" + e.seq(), 1L);
        }
        long simulated = expected.size();
        for (NodeMetrics e : readMetricsTopic()) {
            if (e.getNode().equals(HOST)) {
                expected.put(e.getNode() + "/" + e.getRunId() + "/" + e.getSeq(), 1L);
            }
        }
        assertThat(expected.size() - simulated).as("the real agent's events").isGreaterThan(10);
        awaitTrue("every event stored", "SELECT count(*) >= " + expected.size() + " FROM nodepulse.node_events WHERE "
                + "cluster = 'e2e'");
        Map<String, Long> stored = new TreeMap<>();
        try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT node, run_id, seq, count(*) FROM nodepulse.node_events WHERE "
                     + "cluster = 'e2e' GROUP BY node, run_id, seq")) {
            while (rs.next()) {
                stored.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getLong(3), rs.getLong(4));
            }
        }
        assertThat(new TreeSet<>(stored.keySet())).as("(node, run id, seq) stored versus produced")
                .isEqualTo(new TreeSet<>(expected.keySet()));
        assertThat(stored).as("one row each").isEqualTo(expected);

        // the processor saw the injected duplicates and late events, and rejected nothing
        HttpResponse<String> metrics = AppProcess.get(processorPort, "/metrics");
        assertThat(metrics).isNotNull();
        String text = metrics.body();
        assertThat(AppProcess.metric(text, "nodepulse_processor_duplicates_total"))
                .as("duplicates dropped by the processor").isGreaterThanOrEqualTo(stats.duplicates());
        assertThat(AppProcess.metric(text, "nodepulse_processor_events_total{outcome=\"late\"}"))
                .as("late events seen by the processor").isPositive();
        assertThat(AppProcess.metric(text, "nodepulse_processor_events_total{outcome=\"rejected\"}"))
                .as("events rejected by validation").isLessThanOrEqualTo(0);
    }

    /** Every event in the metrics topic, read from the beginning to the current end. */
    private List<NodeMetrics> readMetricsTopic() {
        String topic = stack.topicPrefix() + "metrics";
        EventEncoder decoder = new EventEncoder(topic);
        List<ConsumerRecord<String, NodeMetrics>> records = TopicReader.readToEnd(stack.kafkaConfig(), topic,
                (t, bytes) -> decoder.decode(bytes), 0, Duration.ofSeconds(60));
        assertThat(records).as("keyed by node").allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getNode()));
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static String inList(List<String> nodes) {
        return "('" + String.join("', '", nodes) + "')";
    }

    private long query(String sql) throws SQLException {
        try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Polls a boolean query (as the reader role) until it is true; fails with the processor's log otherwise. */
    private void awaitTrue(String what, String sql) throws InterruptedException {
        processor.await(() -> {
            try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(sql)) {
                return rs.next() && rs.getBoolean(1);
            } catch (SQLException e) {
                return false;
            }
        }, WAIT, what + " (" + sql + ")");
    }

    private void awaitCondition(String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        processor.await(condition, WAIT, what);
    }
}
