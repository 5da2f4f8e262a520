package io.nodepulse.processor.migrate;

import io.nodepulse.processor.sink.Backoff;
import io.nodepulse.processor.sink.Database;
import io.nodepulse.processor.sink.DbLogin;
import io.nodepulse.processor.sink.SinkConfig;
import io.nodepulse.processor.sink.SqlErrors;
import io.nodepulse.processor.sink.Tables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema up to date with the bundled SQL migrations, as the owner role. Versioned scripts
 * run once each, in order, each in its own transaction together with its row in {@code schema_migrations}
 * (version, checksum, applied_at). Repeatable scripts (views, grants) run again when their rendered text
 * changes or when a versioned script was applied. An advisory lock keeps two processors from migrating at the
 * same time. The TimescaleDB extension must already exist: creating it needs a superuser.
 */
public final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    /** Advisory lock key: "nodepulse" in ASCII, truncated to 8 bytes. */
    static final long LOCK_KEY = 0x6e6f6465_70756c73L;

    private final Connection connection;
    private final Map<String, String> placeholders;
    private final List<Migration> migrations;

    Migrator(Connection connection, Map<String, String> placeholders, List<Migration> migrations) {
        this.connection = connection;
        this.placeholders = placeholders;
        this.migrations = migrations;
    }

    /** What a run did. */
    public record Result(List<String> applied, int schemaVersion, String timescaleVersion, String license) {
    }

    /**
     * Migrates as the owner role (or, with {@code NODEPULSE_MIGRATE=false}, only checks as the writer that the
     * schema is current). Waits for the database up to the startup timeout.
     *
     * @throws MigrationException when the extension is missing, a script fails, an applied script changed, or
     *                            (check only) the schema is behind
     * @throws io.nodepulse.processor.sink.DatabaseUnavailableException when the database refuses the role or
     *                            stays unreachable
     */
    public static Result migrate(SinkConfig config) {
        return migrate(config, why -> { });
    }

    /** {@link #migrate(SinkConfig)}, telling {@code waiting} why it waits while the database is unreachable. */
    public static Result migrate(SinkConfig config, java.util.function.Consumer<String> waiting) {
        DbLogin login = config.migrate() ? config.owner() : config.writer();
        String env = config.migrate() ? "NODEPULSE_DB_OWNER" : "NODEPULSE_DB_WRITER";
        try (Connection c = Database.connectWaiting(config.jdbcUrl(), login, "nodepulse-migrate",
                config.socketTimeout().plus(Duration.ofMinutes(10)), config.startupTimeout(),
                new Backoff(config.retryBackoffMin(), config.retryBackoffMax()), log, env, waiting)) {
            Migrator m = new Migrator(c, placeholders(config), Migrations.load());
            return config.migrate() ? m.run() : m.check();
        } catch (SQLException e) {
            throw new MigrationException("migration failed: " + SqlErrors.describe(e), e);
        }
    }

    /** ${owner}, ${writer} and ${reader}: the configured role names as quoted identifiers. */
    static Map<String, String> placeholders(SinkConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("owner", ident(config.owner().user()));
        p.put("writer", ident(config.writer().user()));
        p.put("reader", ident(config.readerUser()));
        return p;
    }

    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    Result run() throws SQLException {
        connection.setAutoCommit(true);
        String[] ext = checkExtension();
        lock();
        try {
            ensureHistoryTable();
            Map<String, String> applied = appliedChecksums();
            boolean newer = checkApplied(applied);
            List<String> done = new ArrayList<>();
            for (Migration m : migrations) {
                if (!m.repeatable() && !applied.containsKey(m.key())) {
                    apply(m, m.render(placeholders), Migration.checksum(m.sql()));
                    done.add(m.script());
                }
            }
            if (newer) {
                log.warn("the database has schema migrations newer than this build ({}); leaving views and grants "
                        + "as the newer build set them", applied.keySet());
            } else {
                for (Migration m : migrations) {
                    if (m.repeatable()) {
                        String sql = m.render(placeholders);
                        String sum = Migration.checksum(sql);
                        if (!done.isEmpty() || !sum.equals(applied.get(m.key()))) {
                            apply(m, sql, sum);
                            done.add(m.script());
                        }
                    }
                }
            }
            int version = currentVersion();
            if (done.isEmpty()) {
                log.info("schema is current at version {} (TimescaleDB {}, license {})", version, ext[0], ext[1]);
            } else {
                log.info("schema migrated to version {}: applied {} (TimescaleDB {}, license {})", version, done,
                        ext[0], ext[1]);
            }
            return new Result(List.copyOf(done), version, ext[0], ext[1]);
        } finally {
            unlock();
        }
    }

    Result check() throws SQLException {
        connection.setAutoCommit(true);
        String[] ext = checkExtension();
        Map<String, String> applied;
        try {
            applied = appliedChecksums();
        } catch (SQLException e) {
            throw new MigrationException("the schema has not been created (" + SqlErrors.describe(e) + "); run the "
                    + "processor once with NODEPULSE_MIGRATE=true and the owner's credentials", e);
        }
        checkApplied(applied);
        List<String> pending = migrations.stream().filter(m -> !m.repeatable() && !applied.containsKey(m.key()))
                .map(Migration::script).toList();
        if (!pending.isEmpty()) {
            throw new MigrationException("the schema is behind this build: " + pending + " not applied; run with "
                    + "NODEPULSE_MIGRATE=true and the owner's credentials");
        }
        int version = currentVersion();
        log.info("schema is current at version {} (checked without migrating)", version);
        return new Result(List.of(), version, ext[0], ext[1]);
    }

    /** Returns {extension version, license}; refuses to go on without the extension. */
    private String[] checkExtension() throws SQLException {
        String version = null;
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")) {
            if (rs.next()) {
                version = rs.getString(1);
            }
        }
        String database = scalar("SELECT current_database()");
        if (version == null) {
            String available = scalar("SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'");
            if (available == null) {
                throw new MigrationException("TimescaleDB is not installed on the PostgreSQL server behind database "
                        + database + ": install the TimescaleDB package for this PostgreSQL version, add timescaledb "
                        + "to shared_preload_libraries, restart PostgreSQL, then have a superuser run "
                        + "CREATE EXTENSION timescaledb; in database " + database);
            }
            throw new MigrationException("the timescaledb extension is not created in database " + database
                    + " (TimescaleDB " + available + " is installed). A superuser must run "
                    + "CREATE EXTENSION timescaledb; in that database, e.g. psql -U postgres -d " + database
                    + " -c 'CREATE EXTENSION timescaledb'. The owner role " + scalar("SELECT current_user")
                    + " cannot create it.");
        }
        String license = scalar("SELECT current_setting('timescaledb.license', true)");
        return new String[] {version, license == null ? "unknown" : license};
    }

    private void lock() throws SQLException {
        if (!"true".equals(scalar("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")::text"))) {
            log.info("another processor is migrating the schema; waiting for it");
            scalar("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
        }
    }

    private void unlock() {
        try {
            scalar("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
        } catch (SQLException e) {
            log.debug("advisory unlock failed ({}); the lock goes with the session", SqlErrors.describe(e));
        }
    }

    private void ensureHistoryTable() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + Tables.DATA);
            st.execute("CREATE TABLE IF NOT EXISTS " + Tables.SCHEMA_MIGRATIONS + " ("
                    + "version text PRIMARY KEY, description text NOT NULL, script text NOT NULL, "
                    + "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                    + "applied_by text NOT NULL DEFAULT current_user, execution_ms integer NOT NULL)");
        }
    }

    private Map<String, String> appliedChecksums() throws SQLException {
        Map<String, String> applied = new LinkedHashMap<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, checksum FROM " + Tables.SCHEMA_MIGRATIONS
                     + " ORDER BY applied_at, version")) {
            while (rs.next()) {
                applied.put(rs.getString(1), rs.getString(2));
            }
        }
        return applied;
    }

    /** Refuses changed versioned scripts; returns true when the database knows versions this build does not. */
    private boolean checkApplied(Map<String, String> applied) {
        boolean newer = false;
        for (Map.Entry<String, String> e : applied.entrySet()) {
            if (!e.getKey().matches("\\d+")) {
                continue;
            }
            Migration m = migrations.stream().filter(x -> e.getKey().equals(x.key())).findFirst().orElse(null);
            if (m == null) {
                newer = true;
                continue;
            }
            String sum = Migration.checksum(m.sql());
            if (!sum.equals(e.getValue())) {
                throw new MigrationException("migration " + m.script() + " was changed after it was applied "
                        + "(checksum in the database " + abbrev(e.getValue()) + ", in this build " + abbrev(sum)
                        + "). Applied migrations must never change: restore the original file and put the change "
                        + "in a new versioned migration.");
            }
        }
        return newer;
    }

    private void apply(Migration m, String sql, String checksum) throws SQLException {
        long start = System.nanoTime();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + Tables.SCHEMA_MIGRATIONS
                    + " (version, description, script, checksum, execution_ms) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, "
                    + "script = EXCLUDED.script, checksum = EXCLUDED.checksum, applied_at = now(), "
                    + "applied_by = current_user, execution_ms = EXCLUDED.execution_ms")) {
                ps.setString(1, m.key());
                ps.setString(2, m.description());
                ps.setString(3, m.script());
                ps.setString(4, checksum);
                ps.setInt(5, (int) ((System.nanoTime() - start) / 1_000_000));
                ps.executeUpdate();
            }
            connection.commit();
            log.info("applied {} in {} ms", m.script(), (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            Database.rollbackQuietly(connection);
            String hint = "42704".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().contains("role")
                    ? "; create the roles first (the DBA or deploy/local/stack.sh does) or set NODEPULSE_DB_*_USER"
                    : "";
            throw new MigrationException("migration " + m.script() + " failed and was rolled back: "
                    + SqlErrors.describe(e) + hint, e);
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private int currentVersion() throws SQLException {
        String v = scalar("SELECT max(version::int) FROM " + Tables.SCHEMA_MIGRATIONS + " WHERE version ~ '^[0-9]+$'");
        return v == null ? 0 : Integer.parseInt(v);
    }

    private String scalar(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String abbrev(String sum) {
        return sum.length() > 12 ? sum.substring(0, 12) + "…" : sum;
    }
}
