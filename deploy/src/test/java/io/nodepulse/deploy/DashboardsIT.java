package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.SchemaTopic;
import io.nodepulse.wire.WireSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel query of every dashboard, expanded as Grafana's PostgreSQL data source expands it, runs as the
 * reader role against real TimescaleDB filled by the real pipeline: simulated agents' events go through Kafka
 * and the processor (on the image's runtime), which migrates the schema and writes raw rows, rollups, node
 * status and alerts. Each query must succeed and return rows. The query of {@code ./nodepulse top} runs on the
 * same database.
 */
@WithStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardsIT {
    static final String CLUSTER = "dash";
    static final List<String> NODES = List.of("node-a", "node-b", "node-c");
    static final Duration STEP = Duration.ofSeconds(30);
    /** Long enough that at least one 1-hour window closes. */
    static final Duration SPAN = Duration.ofMinutes(130);
    /** A low CPU threshold, so the simulated nodes raise alerts. */
    static final String RULES = """
            rules:
              - name: cpu-busy
                metric: cpu.busyRatio
                stat: avg
                comparator: ">"
                threshold: 0.1
                for: 1m
                severity: warning
                labels: {category: cpu}
                summary: "CPU of {node} is {value} busy on average (above {threshold})"
            """;

    Instant first;
    Instant last;

    @BeforeAll
    void fillThroughThePipeline(Stack stack, @TempDir Path work) throws Exception {
        Path rules = work.resolve("rules.yaml");
        Files.writeString(rules, RULES);
        Map<String, String> extra = Map.of("NODEPULSE_ALERT_RULES_FILE", rules.toString(),
                "NODEPULSE_ROLLUP_GRACE_1M", "5s", "NODEPULSE_ROLLUP_GRACE_1H", "1m");
        try (ProcessorProcess processor = ProcessorProcess.start(stack, work, extra)) {
            processor.awaitOk("/readyz", Duration.ofSeconds(180));
            produce(stack);
            awaitData(stack, processor);
            processor.stop();
        }
    }

    private void produce(Stack stack) throws Exception {
        Topics topics = new Topics(stack.topicPrefix(), WireSerdes.offline());
        Map<String, Object> config = new HashMap<>(stack.kafkaConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        first = now.minus(SPAN).truncatedTo(ChronoUnit.MINUTES);
        var serializer = WireSerdes.offline().nodeMetrics().serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            SchemaTopic.register(producer, topics.schemas().name(), List.of(NodeMetrics.getClassSchema()),
                    Duration.ofSeconds(30));
            for (String node : NODES) {
                String boot = UUID.nameUUIDFromBytes((node + "-boot").getBytes(StandardCharsets.UTF_8)).toString();
                String run = UUID.nameUUIDFromBytes((node + "-run").getBytes(StandardCharsets.UTF_8)).toString();
                long seq = 1;
                for (Instant t = first; !t.isAfter(now); t = t.plus(STEP)) {
                    NodeMetrics e = SampleMetrics.event(CLUSTER, node, boot, run, seq++, t);
                    producer.send(new ProducerRecord<>(topics.metrics().name(),
                            node.getBytes(StandardCharsets.UTF_8), serializer.serialize(topics.metrics().name(), e)));
                    last = t;
                }
            }
            producer.flush();
        }
    }

    /** Waits until every kind of row the dashboards read has arrived. */
    private void awaitData(Stack stack, ProcessorProcess processor) throws Exception {
        Map<String, String> checks = new LinkedHashMap<>();
        // Every node's rows, in the time range the panels query (1-hour buckets close last).
        String since = "'" + GrafanaSql.rfc3339(first.minus(Duration.ofMinutes(5))) + "'";
        checks.put("latest samples", "SELECT count(*) = 3 FROM nodepulse.latest");
        checks.put("raw rows", "SELECT count(DISTINCT node) = 3 FROM nodepulse.pod_raw");
        checks.put("1-minute rollups", "SELECT count(DISTINCT node) = 3 FROM nodepulse.cpu_1m WHERE bucket >= " + since);
        checks.put("1-hour rollups", "SELECT count(DISTINCT node) = 3 FROM nodepulse.cpu_1h WHERE bucket >= " + since);
        checks.put("firing alerts", "SELECT count(*) > 0 FROM nodepulse.active_alerts");
        checks.put("status history", "SELECT count(*) > 0 FROM nodepulse.node_status_history");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        List<String> missing = new ArrayList<>(checks.keySet());
        while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
            assertThat(processor.process.isAlive()).as(() -> "processor exited:\n" + tail(processor)).isTrue();
            missing.clear();
            try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement()) {
                for (var e : checks.entrySet()) {
                    try (ResultSet rs = st.executeQuery(e.getValue())) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            missing.add(e.getKey());
                        }
                    }
                }
            }
            if (!missing.isEmpty()) {
                Thread.sleep(1000);
            }
        }
        assertThat(missing).as(() -> "rows still missing after 4 minutes; processor log:\n" + tail(processor))
                .isEmpty();
    }

    private static String tail(ProcessorProcess p) {
        try {
            return p.tail();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void everyPanelQueryReturnsRows(Stack stack) throws SQLException {
        Instant from = first.minus(Duration.ofMinutes(5));
        Instant to = Instant.now().plus(Duration.ofMinutes(1));
        List<String> failures = new ArrayList<>();
        int ran = 0;
        try (Connection c = stack.connect(stack.reader())) {
            for (JsonNode d : Dashboards.all()) {
                Map<String, GrafanaSql.Var> vars = new HashMap<>();
                for (JsonNode v : d.path("templating").path("list")) {
                    String name = v.path("name").asText();
                    String sql = GrafanaSql.expand(v.path("query").asText(), from, to, Duration.ofMinutes(1), vars);
                    List<String> values = column(c, sql);
                    ran++;
                    if (values.isEmpty()) {
                        failures.add(d.path("title").asText() + " / variable " + name + ": no values\n  " + sql);
                        values = List.of("none");
                    }
                    boolean multi = v.path("multi").asBoolean() || v.path("includeAll").asBoolean();
                    vars.put(name, new GrafanaSql.Var(multi ? values : List.of(values.get(0)), multi));
                }
                for (Dashboards.Target t : Dashboards.targets(d)) {
                    Duration interval = GrafanaSql.interval(from, to, t.minInterval());
                    String sql = GrafanaSql.expand(t.sql(), from, to, interval, vars);
                    ran++;
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                        if (!rs.next()) {
                            failures.add(t.where() + ": no rows\n  " + sql);
                        } else if (t.format().equals("time_series")) {
                            rs.findColumn("time");
                        }
                    } catch (SQLException e) {
                        failures.add(t.where() + ": " + e.getMessage() + "\n  " + sql);
                    }
                }
            }
        }
        assertThat(failures).as("panel queries that failed or returned nothing").isEmpty();
        assertThat(ran).isGreaterThan(20);
    }

    @Test
    void topTenPanelsShowTenNodesOfTheSelectedCluster(Stack stack) throws SQLException {
        // two clusters of 12 nodes, every node of top-b busier and fuller than any of top-a
        Instant bucket = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5));
        try (Connection w = stack.connect(stack.writer()); Statement st = w.createStatement()) {
            for (String cluster : List.of("top-a", "top-b")) {
                for (int i = 0; i < 12; i++) {
                    String node = "'" + cluster.substring(4) + "-" + (10 + i) + "'";
                    double ratio = (cluster.equals("top-a") ? 0.30 : 0.60) + i / 100.0;
                    String at = "'" + GrafanaSql.rfc3339(bucket) + "'";
                    st.execute("INSERT INTO nodepulse_data.cpu_1m (cluster, node, bucket, samples, last_event_time, "
                            + "busy_ratio_sum, busy_ratio_count) VALUES ('" + cluster + "', " + node + ", " + at
                            + ", 6, now(), " + 6 * ratio + ", 6)");
                    st.execute("INSERT INTO nodepulse_data.memory_1m (cluster, node, bucket, samples, last_event_time, "
                            + "used_bytes_sum, used_bytes_count, total_bytes_sum, total_bytes_count) VALUES ('"
                            + cluster + "', " + node + ", " + at + ", 6, now(), " + 600 * ratio + ", 6, 600, 6)");
                }
            }
        }
        Instant from = bucket.minus(Duration.ofMinutes(5));
        Instant to = Instant.now().plus(Duration.ofMinutes(1));
        JsonNode fleet = Dashboards.all().stream().filter(d -> d.path("uid").asText().equals("nodepulse-fleet"))
                .findFirst().orElseThrow();
        List<String> topA = List.of("a-21", "a-20", "a-19", "a-18", "a-17", "a-16", "a-15", "a-14", "a-13", "a-12");
        List<String> topB = List.of("b-21", "b-20", "b-19", "b-18", "b-17", "b-16", "b-15", "b-14", "b-13", "b-12");
        int panels = 0;
        try (Connection c = stack.connect(stack.reader())) {
            for (Dashboards.Target t : Dashboards.targets(fleet)) {
                if (!t.panel().startsWith("Top 10")) {
                    continue;
                }
                panels++;
                String onlyA = GrafanaSql.expand(t.sql(), from, to, Duration.ofMinutes(1),
                        Map.of("cluster", new GrafanaSql.Var(List.of("top-a"), true)));
                assertThat(column(c, onlyA)).as(t.where() + " with cluster top-a").containsExactlyElementsOf(topA);
                String both = GrafanaSql.expand(t.sql(), from, to, Duration.ofMinutes(1),
                        Map.of("cluster", new GrafanaSql.Var(List.of("top-a", "top-b"), true)));
                assertThat(column(c, both)).as(t.where() + " with both clusters").containsExactlyElementsOf(topB);
            }
        }
        assertThat(panels).isEqualTo(2);
    }

    @Test
    void topShowsWholeDaysOfAgeAndNodeLevelAlertsWithoutADevice(Stack stack) throws Exception {
        try (Connection w = stack.connect(stack.writer()); Statement st = w.createStatement()) {
            st.execute("INSERT INTO nodepulse_data.nodes (cluster, node, first_seen, last_seen, status, status_since) "
                    + "VALUES ('top-age', 'silent', now() - interval '3 days', now() - interval '26 hours', 'DOWN', "
                    + "now() - interval '25 hours')");
            st.execute("INSERT INTO nodepulse_data.latest (cluster, node, time, cpu_busy_ratio, memory_total_bytes, "
                    + "memory_used_bytes) VALUES ('top-age', 'silent', now() - interval '26 hours', 0.5, 100, 50)");
            // a node-level alert has device '', a filesystem alert the mount point
            st.execute("INSERT INTO nodepulse_data.alerts (cluster, node, time, rule, device, severity, state, since, "
                    + "summary, labels) VALUES "
                    + "('top-age', 'silent', now() - interval '27 hours', 'cpu-busy', '', 'warning', 'FIRING', "
                    + "now() - interval '27 hours', 's', '{}'), "
                    + "('top-age', 'silent', now() - interval '27 hours', 'filesystem-almost-full', '/var', 'warning', "
                    + "'FIRING', now() - interval '27 hours', 's', '{}')");
        }
        // the launcher's query as psql gets it: the bash string unescaped, the limit filled in
        String launcher = Files.readString(Repo.root().resolve("nodepulse"));
        int start = launcher.indexOf("TOP_SQL=\"") + "TOP_SQL=\"".length();
        int end = launcher.indexOf("%LIMIT%\"", start);
        String sql = launcher.substring(start, end).replace("\\\"", "\"") + "1000";
        try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            boolean found = false;
            while (rs.next()) {
                if (rs.getString("NODE").equals("silent")) {
                    found = true;
                    assertThat(rs.getString("AGE")).as("26 hours").startsWith("1d 2:00:");
                    assertThat(rs.getString("ALERTS")).isEqualTo("cpu-busy,filesystem-almost-full:/var");
                }
            }
            assertThat(found).as("the silent node is listed").isTrue();
        }
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
