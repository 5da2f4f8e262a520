package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Least privilege and the documented interface: the writer inserts but cannot change the schema, delete or
 * truncate; the reader only selects the views; retention (drop_chunks as the owner) removes expired chunks; the
 * views answer the README's queries.
 */
class DatabaseAccessIT extends Fixtures.PreparedStack {
    @Test
    void writerInsertsButCannotChangeSchemaDeleteOrTruncate() throws Exception {
        try (Connection c = stack.connect(stack.writer()); Statement st = c.createStatement()) {
            st.execute("INSERT INTO nodepulse_data.load (cluster, node, time, load1, load5, load15, uptime_seconds, "
                    + "boot_time) VALUES ('acl', 'w1', now(), 1, 1, 1, 100, now() - interval '100 s')");
            st.execute("CREATE TEMP TABLE scratch (x int)");
            st.execute("DELETE FROM nodepulse_data.repair_queue");
            for (String sql : List.of(
                    "CREATE TABLE nodepulse_data.evil (x int)",
                    "CREATE TABLE public.evil (x int)",
                    "CREATE SCHEMA evil",
                    "DELETE FROM nodepulse_data.load",
                    "TRUNCATE nodepulse_data.load",
                    "UPDATE nodepulse_data.load SET load1 = 0",
                    "DROP TABLE nodepulse_data.load",
                    "ALTER TABLE nodepulse_data.load ADD COLUMN evil int",
                    "DELETE FROM nodepulse_data.sink_offsets",
                    "INSERT INTO nodepulse_data.schema_migrations (version, description, script, checksum, "
                            + "execution_ms) VALUES ('99', 'x', 'x', 'x', 0)",
                    "SELECT drop_chunks('nodepulse_data.load', older_than => now())")) {
                assertRefused(st, sql);
            }
        }
    }

    @Test
    void readerOnlySelectsTheViews() throws Exception {
        try (Connection c = stack.connect(stack.reader()); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM nodepulse.load_raw")) {
                assertThat(rs.next()).isTrue();
            }
            for (String sql : List.of(
                    "INSERT INTO nodepulse.load_raw (cluster, node, time, load1, load5, load15, uptime_seconds, "
                            + "boot_time) VALUES ('acl', 'r1', now(), 1, 1, 1, 100, now())",
                    "SELECT count(*) FROM nodepulse_data.load",
                    "DELETE FROM nodepulse.node_events",
                    "CREATE TEMP TABLE scratch (x int)",
                    "CREATE TABLE nodepulse.evil (x int)")) {
                assertRefused(st, sql);
            }
        }
    }

    @Test
    void retentionDropsExpiredChunksPerTierAsTheOwner() throws Exception {
        try (Connection w = stack.connect(stack.writer()); Statement st = w.createStatement()) {
            for (String age : List.of("10 days", "1 hour")) {
                st.execute("INSERT INTO nodepulse_data.load (cluster, node, time, load1, load5, load15, uptime_seconds, "
                        + "boot_time) VALUES ('ret', 'n', now() - interval '" + age + "', 1, 1, 1, 1, now())");
            }
            for (String age : List.of("100 days", "1 day")) {
                st.execute("INSERT INTO nodepulse_data.load_1m (cluster, node, bucket, samples, last_event_time) "
                        + "VALUES ('ret', 'n', date_trunc('minute', now() - interval '" + age + "'), 1, now())");
            }
        }
        SinkConfig config = Fixtures.config(stack);
        try (Connection owner = stack.connect(stack.owner())) {
            Map<Tables.Tier, Integer> dropped = Retention.runOnce(owner, config);
            assertThat(dropped.get(Tables.Tier.RAW)).isPositive();
            assertThat(dropped.get(Tables.Tier.MINUTE)).isPositive();
            assertThat(Fixtures.count(owner, "SELECT count(*) FROM nodepulse_data.load WHERE cluster = 'ret'"))
                    .isEqualTo(1);
            assertThat(Fixtures.count(owner, "SELECT count(*) FROM nodepulse_data.load WHERE cluster = 'ret' "
                    + "AND time > now() - interval '2 hours'")).isEqualTo(1);
            assertThat(Fixtures.count(owner, "SELECT count(*) FROM nodepulse_data.load_1m WHERE cluster = 'ret'"))
                    .isEqualTo(1);
            assertThat(Retention.runOnce(owner, config).values()).allMatch(n -> n == 0);
        }
    }

    @Test
    void viewsAnswerTheDocumentedQueries() throws Exception {
        try (Connection w = stack.connect(stack.writer()); Statement st = w.createStatement()) {
            st.execute("INSERT INTO nodepulse_data.nodes (cluster, node, first_seen, last_seen, status, status_since) "
                    + "VALUES ('v', 'busy', now() - interval '1 day', now(), 'UP', now()), "
                    + "('v', 'idle', now() - interval '1 day', now(), 'UP', now()), "
                    + "('v', 'gone', now() - interval '3 days', now() - interval '2 days', 'RETIRED', now())");
            st.execute("INSERT INTO nodepulse_data.latest (cluster, node, time, cpu_busy_ratio, memory_total_bytes, "
                    + "memory_used_bytes) VALUES ('v', 'busy', now(), 0.9, 100, 80), ('v', 'idle', now(), 0.1, 100, 20), "
                    + "('v', 'gone', now() - interval '2 days', 0.5, 100, 50)");
            for (String[] n : new String[][] {{"busy", "0.9"}, {"idle", "0.1"}, {"gone", "0.5"}}) {
                st.execute("INSERT INTO nodepulse_data.cpu_1m (cluster, node, bucket, samples, last_event_time, "
                        + "busy_ratio_sum, busy_ratio_count) VALUES ('v', '" + n[0] + "', date_trunc('minute', now()) - "
                        + "interval '5 minutes', 6, now(), 6 * " + n[1] + ", 6)");
                st.execute("INSERT INTO nodepulse_data.memory_1m (cluster, node, bucket, samples, last_event_time, "
                        + "used_bytes_sum, used_bytes_count, total_bytes_sum, total_bytes_count) VALUES ('v', '" + n[0]
                        + "', date_trunc('minute', now()) - interval '5 minutes', 6, now(), 6 * 100 * " + n[1]
                        + ", 6, 600, 6)");
            }
            st.execute("INSERT INTO nodepulse_data.alerts (cluster, node, time, rule, device, severity, state, since, "
                    + "summary, labels) VALUES "
                    + "('v', 'busy', now() - interval '10 min', 'cpu-busy', '', 'warning', 'FIRING', now() - interval '12 min', 's', '{}'), "
                    + "('v', 'idle', now() - interval '20 min', 'cpu-busy', '', 'warning', 'FIRING', now() - interval '22 min', 's', '{}'), "
                    + "('v', 'idle', now() - interval '5 min', 'cpu-busy', '', 'warning', 'RESOLVED', now() - interval '22 min', 's', '{}')");
        }
        try (Connection c = stack.connect(stack.reader())) {
            assertThat(strings(c, "SELECT node FROM nodepulse.latest WHERE cluster = 'v' ORDER BY cpu_busy_ratio DESC"))
                    .containsExactly("busy", "idle");
            assertThat(strings(c, "SELECT node || ' ' || status || ' ' || active FROM nodepulse.nodes "
                    + "WHERE cluster = 'v' ORDER BY node")).containsExactly("busy UP true", "gone RETIRED false",
                    "idle UP true");
            assertThat(strings(c, "SELECT node FROM nodepulse.active_nodes WHERE cluster = 'v' ORDER BY node"))
                    .containsExactly("busy", "idle");
            assertThat(strings(c, "SELECT node || ' ' || round(value::numeric, 2) FROM nodepulse.top_nodes('cpu', "
                    + "now() - interval '1 hour', now(), 2)")).containsExactly("busy 0.90", "gone 0.50");
            assertThat(strings(c, "SELECT node || ' ' || round(value::numeric, 2) FROM nodepulse.top_nodes('memory', "
                    + "now() - interval '1 hour', now())")).containsExactly("busy 0.90", "gone 0.50", "idle 0.10");
            assertThat(strings(c, "SELECT node || ' ' || round(busy_ratio_avg::numeric, 2) FROM nodepulse.cpu_1m "
                    + "WHERE cluster = 'v' ORDER BY node")).containsExactly("busy 0.90", "gone 0.50", "idle 0.10");
            assertThat(strings(c, "SELECT node || ' ' || rule FROM nodepulse.active_alerts WHERE cluster = 'v'"))
                    .containsExactly("busy cpu-busy");
            try (Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.executeQuery("SELECT * FROM nodepulse.top_nodes('disk', now(), now())"))
                        .hasMessageContaining("use cpu or memory");
            }
        }
    }

    private static void assertRefused(Statement st, String sql) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(sql + ": " + e.getMessage())
                        .isIn("42501", "3F000"));
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

}
