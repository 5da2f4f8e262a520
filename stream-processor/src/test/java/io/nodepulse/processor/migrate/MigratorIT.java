package io.nodepulse.processor.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.processor.sink.Column;
import io.nodepulse.processor.sink.FamilyTable;
import io.nodepulse.processor.sink.Resolution;
import io.nodepulse.processor.sink.SinkConfig;
import io.nodepulse.processor.sink.Tables;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.TcpProxy;
import io.nodepulse.testkit.WithStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Migrations against the real TimescaleDB (Apache build): fresh, again, racing, changed, and without the extension. */
@WithStack
class MigratorIT {
    static Stack stack;
    static final List<String> extraDatabases = new ArrayList<>();

    @BeforeAll
    static void setUp(Stack s) {
        stack = s;
    }

    @AfterAll
    static void dropExtraDatabases() throws SQLException {
        try (Connection c = admin("postgres"); Statement st = c.createStatement()) {
            for (String db : extraDatabases) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    @Test
    void freshDatabaseGetsEveryTableAsAHypertableAndAgainIsANoOp() throws Exception {
        Migrator.Result first = Migrator.migrate(config(stack.jdbcUrl(), true));
        assertThat(first.applied()).containsExactly("V1__schema.sql", "R__grants.sql", "R__views.sql");
        assertThat(first.schemaVersion()).isEqualTo(1);
        assertThat(first.license()).isIn("apache", "timescale");

        try (Connection c = stack.connect(stack.owner())) {
            Set<String> hypertables = new HashSet<>(strings(c, "SELECT hypertable_schema || '.' || hypertable_name "
                    + "FROM timescaledb_information.hypertables"));
            Set<String> expected = new HashSet<>();
            Tables.hypertables().values().forEach(expected::addAll);
            assertThat(hypertables).isEqualTo(expected).hasSize(14 * 3 + 3);

            // every table's columns are exactly what MetricFamilies describes
            for (FamilyTable t : Tables.families()) {
                assertThat(columns(c, t.table())).as(t.table()).isEqualTo(describe(t.rawColumns()));
                for (Resolution r : Resolution.values()) {
                    assertThat(columns(c, t.rollupTable(r))).as(t.rollupTable(r)).isEqualTo(describe(t.rollupColumns()));
                }
            }
            assertThat(strings(c, "SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema "
                    + "IN ('nodepulse_data', 'nodepulse') AND column_name IN (SELECT word FROM pg_get_keywords() "
                    + "WHERE catcode = 'R')")).as("reserved words as column names").isEmpty();
            // unique keys lead with (cluster, node) and end with the time column, descending
            for (String def : strings(c, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'nodepulse_data' "
                    + "AND indexname LIKE '%\\_key'")) {
                assertThat(def).contains("UNIQUE INDEX").containsPattern("\\(cluster, node, .*\"?(time|bucket)\"? DESC\\)");
            }
            assertThat(strings(c, "SELECT version || ' ' || script FROM nodepulse_data.schema_migrations ORDER BY 1"))
                    .containsExactly("1 V1__schema.sql", "R__grants.sql R__grants.sql", "R__views.sql R__views.sql");
        }

        Migrator.Result again = Migrator.migrate(config(stack.jdbcUrl(), true));
        assertThat(again.applied()).isEmpty();
        assertThat(again.schemaVersion()).isEqualTo(1);
        assertThat(Migrator.migrate(config(stack.jdbcUrl(), false)).schemaVersion()).as("check-only mode").isEqualTo(1);
    }

    @Test
    void twoProcessorsMigratingAtOnceApplyEachScriptOnce() throws Exception {
        String url = newDatabase("race", true);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Migrator.Result> a = pool.submit(() -> Migrator.migrate(config(url, true)));
            Future<Migrator.Result> b = pool.submit(() -> Migrator.migrate(config(url, true)));
            List<String> applied = new ArrayList<>(a.get().applied());
            applied.addAll(b.get().applied());
            assertThat(applied).containsExactlyInAnyOrder("V1__schema.sql", "R__grants.sql", "R__views.sql");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRenamedWriterLosesWhatTheOldNameWasGiven() throws Exception {
        String url = newDatabase("renamed", true);
        String old = "np_old_writer_" + stack.database().replaceAll("[^a-z0-9_]", "");
        try (Connection c = admin("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + old);
            st.execute("CREATE ROLE " + old + " LOGIN");
        }
        try {
            Map<String, String> env = new HashMap<>();
            env.put("NODEPULSE_JDBC_URL", url);
            env.put("NODEPULSE_DB_WRITER_USER", old);
            env.put("NODEPULSE_DB_WRITER_PASSWORD", "unused");
            env.put("NODEPULSE_DB_OWNER_USER", stack.owner().user());
            env.put("NODEPULSE_DB_OWNER_PASSWORD", stack.owner().password());
            env.put("NODEPULSE_DB_READER_USER", stack.reader().user());
            env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
            Migrator.migrate(SinkConfig.fromEnv(env));
            String insert = "has_table_privilege('" + old + "', 'nodepulse_data.cpu', 'INSERT')";
            String connect = "has_database_privilege('" + old + "', current_database(), 'CONNECT')";
            String usage = "has_schema_privilege('" + old + "', 'nodepulse_data', 'USAGE')";
            try (Connection c = connect(url)) {
                assertThat(strings(c, "SELECT " + insert + " AND " + connect + " AND " + usage))
                        .as("the writer of the first migration").containsExactly("t");
            }

            assertThat(Migrator.migrate(config(url, true)).applied()).as("the grants follow the new name")
                    .contains("R__grants.sql");
            try (Connection c = connect(url)) {
                assertThat(strings(c, "SELECT " + insert + " OR " + connect + " OR " + usage))
                        .as("the old name keeps nothing").containsExactly("f");
            }
            try (Connection c = connect(url)) {
                assertThat(strings(c, "SELECT has_table_privilege('" + stack.writer().user() + "', "
                        + "'nodepulse_data.cpu', 'INSERT')")).containsExactly("t");
            }
        } finally {
            try (Connection c = admin("postgres"); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + stack.database() + "_renamed WITH (FORCE)");
                st.execute("DROP ROLE IF EXISTS " + old);
            }
        }
    }

    @Test
    void aChangedAppliedMigrationIsRefused() throws Exception {
        String url = newDatabase("changed", true);
        Migrator.migrate(config(url, true));
        try (Connection c = connect(url); Statement st = c.createStatement()) {
            st.execute("UPDATE nodepulse_data.schema_migrations SET checksum = 'edited' WHERE version = '1'");
        }
        assertThatThrownBy(() -> Migrator.migrate(config(url, true)))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("V1__schema.sql was changed after it was applied")
                .hasMessageContaining("new versioned migration");
    }

    @Test
    void missingExtensionIsRefusedWithTheFix() throws Exception {
        String url = newDatabase("noext", false);
        assertThatThrownBy(() -> Migrator.migrate(config(url, true)))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("timescaledb extension is not created")
                .hasMessageContaining("superuser must run CREATE EXTENSION timescaledb")
                .hasMessageContaining(stack.owner().user() + " cannot create it");
        try (Connection c = connect(url)) {
            assertThat(strings(c, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'nodepulse%'")).isEmpty();
        }
    }

    @Test
    void anUnreachableDatabaseIsWaitedForNotFatal() throws Exception {
        String url = newDatabase("waits", true);
        java.net.URI db = java.net.URI.create(url.substring("jdbc:".length()));
        try (TcpProxy proxy = TcpProxy.start(db.getHost(), db.getPort())) {
            proxy.cut();
            java.util.concurrent.BlockingQueue<String> waits = new java.util.concurrent.LinkedBlockingQueue<>();
            CompletableFuture<Migrator.Result> run = CompletableFuture.supplyAsync(
                    () -> Migrator.migrate(config(proxy.rewrite(url), true), waits::add));
            String why = waits.poll(60, TimeUnit.SECONDS);
            assertThat(why).as("says why it waits").startsWith("waiting for the database at " + proxy.rewrite(url));
            assertThat(waits.poll(60, TimeUnit.SECONDS)).as("and goes on retrying").contains("attempt");
            assertThat(run).as("still waiting for the database").isNotDone();
            proxy.restore();
            assertThat(run.get(60, TimeUnit.SECONDS).applied()).contains("V1__schema.sql");
        }
    }

    @Test
    void checkOnlyModeRefusesAnUnmigratedSchema() throws Exception {
        String url = newDatabase("unmigrated", true);
        assertThatThrownBy(() -> Migrator.migrate(config(url, false)))
                .isInstanceOf(MigrationException.class).hasMessageContaining("NODEPULSE_MIGRATE=true");
    }

    private static SinkConfig config(String url, boolean migrate) {
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_JDBC_URL", url);
        env.put("NODEPULSE_DB_WRITER_USER", stack.writer().user());
        env.put("NODEPULSE_DB_WRITER_PASSWORD", stack.writer().password());
        env.put("NODEPULSE_DB_OWNER_USER", stack.owner().user());
        env.put("NODEPULSE_DB_OWNER_PASSWORD", stack.owner().password());
        env.put("NODEPULSE_DB_READER_USER", stack.reader().user());
        env.put("NODEPULSE_MIGRATE", Boolean.toString(migrate));
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        return SinkConfig.fromEnv(env);
    }

    /** A database of the owner, with or without the extension. */
    private static String newDatabase(String suffix, boolean extension) throws SQLException {
        String name = stack.database() + "_" + suffix;
        extraDatabases.add(name);
        try (Connection c = admin("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name + " OWNER " + stack.owner().user());
        }
        if (extension) {
            try (Connection c = admin(name); Statement st = c.createStatement()) {
                st.execute("CREATE EXTENSION timescaledb");
            }
        }
        return base() + name;
    }

    private static String base() {
        return stack.jdbcUrl().substring(0, stack.jdbcUrl().lastIndexOf('/') + 1);
    }

    private static Connection admin(String database) throws SQLException {
        return DriverManager.getConnection(base() + database, stack.admin().user(), stack.admin().password());
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, stack.owner().user(), stack.owner().password());
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        return strings(c, "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns "
                + "WHERE table_schema = 'nodepulse_data' AND table_name = '" + table + "' ORDER BY ordinal_position");
    }

    private static List<String> describe(List<Column> columns) {
        return columns.stream().map(col -> col.name() + " " + col.type().infoSchema() + " "
                + (col.notNull() ? "NO" : "YES")).toList();
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
