package io.nodepulse.processor.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes queued rollup rows from raw rows once their settle delay has passed and the sink has caught up
 * with its inputs (so raw rows still in flight land first). Each round takes due entries with
 * FOR UPDATE SKIP LOCKED, upserts the recomputed rows and deletes the entries in one transaction; running a
 * repair twice gives the same rows. A late event arriving meanwhile re-queues its entry after this round.
 * <p>
 * An entry the database refuses for its data (SQLState class 22, e.g. a sum out of range) would fail every round
 * and hold back the entries behind it: when a round fails so, it is run again entry by entry, each under a
 * savepoint, and a refused entry is logged, counted and put back by {@link #PARKED} instead of deleted.
 * <p>
 * With retention on, an entry whose bucket is older than the raw retention is dropped unrepaired (logged and
 * counted): its raw rows may be gone already, and a rollup rebuilt from what is left would replace a correct one
 * with a partial one.
 */
final class RepairTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RepairTask.class);
    static final int ROUND = 200;
    /** How long a refused entry waits before it is tried again. */
    static final String PARKED = "1 hour";

    private final SinkConfig config;
    private final BooleanSupplier caughtUp;
    private final SinkMetrics metrics;
    private final Map<String, String> sql = new HashMap<>();
    private volatile boolean closing;
    private volatile String problem;
    private Connection connection;
    private String timescaleSchema;

    RepairTask(SinkConfig config, BooleanSupplier caughtUp, SinkMetrics metrics) {
        this.config = config;
        this.caughtUp = caughtUp;
        this.metrics = metrics;
    }

    /** Why the last round failed, or null. */
    String problem() {
        return problem;
    }

    void close() {
        closing = true;
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(config.retryBackoffMin(), config.retryBackoffMax());
        long wait = config.repairInterval().toMillis();
        while (!closing) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                break;
            }
            if (closing) {
                break;
            }
            if (!caughtUp.getAsBoolean()) {
                wait = config.repairInterval().toMillis();
                continue;
            }
            try {
                int done;
                do {
                    done = runRound();
                } while (done == ROUND && !closing);
                problem = null;
                backoff.reset();
                wait = config.repairInterval().toMillis();
            } catch (SQLException e) {
                Database.rollbackQuietly(connection);
                if (SqlErrors.classify(e) != SqlErrors.Kind.DATA) {
                    Database.closeQuietly(connection);
                    connection = null;
                }
                wait = backoff.next().toMillis();
                problem = "rollup repair failing (" + SqlErrors.describe(e) + ")";
                log.warn("rollup repair round failed ({}); attempt {}, retrying in {} ms", SqlErrors.describe(e),
                        backoff.attempt(), wait);
                metrics.retries.inc("repair-" + e.getSQLState());
            }
        }
        Database.closeQuietly(connection);
    }

    /** One round, taken entry by entry if the database refuses one for its data; returns how many were due. */
    int runRound() throws SQLException {
        try {
            return runOnce(false);
        } catch (SQLException e) {
            if (SqlErrors.classify(e) != SqlErrors.Kind.DATA) {
                throw e;
            }
            Database.rollbackQuietly(connection);
            log.warn("rollup repair round refused for its data ({}); repairing its entries one by one",
                    SqlErrors.describe(e));
            return runOnce(true);
        }
    }

    /**
     * One round: repairs up to {@value #ROUND} due entries; returns how many. With {@code careful}, each entry
     * runs under a savepoint and one refused for its data is parked instead of failing the round.
     */
    int runOnce(boolean careful) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(false);
        record Entry(String cluster, String node, String family, String resolution, long bucketMillis) {
        }
        List<Entry> due = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT cluster, node, family, resolution, "
                     + "(extract(epoch FROM bucket) * 1000)::bigint FROM " + Tables.REPAIR_QUEUE
                     + " WHERE not_before <= now() ORDER BY not_before LIMIT " + ROUND + " FOR UPDATE SKIP LOCKED")) {
            while (rs.next()) {
                due.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
            }
        }
        if (due.isEmpty()) {
            c.commit();
            return 0;
        }
        Map<String, Integer> rowsByResolution = new HashMap<>();
        Map<String, Integer> entries = new HashMap<>();
        long rawHorizon = config.retentionEnabled()
                ? System.currentTimeMillis() - config.retentionRaw().toMillis() : Long.MIN_VALUE;
        for (Entry e : due) {
            FamilyTable t = Tables.forFamily(e.family());
            Resolution r = Resolution.ofSuffix(e.resolution());
            String action = "DELETE FROM " + Tables.REPAIR_QUEUE;
            if (t == null || r == null) {
                log.warn("dropping repair of unknown family or resolution {} {}", e.family(), e.resolution());
            } else if (e.bucketMillis() < rawHorizon) {
                metrics.repairsTooOld.inc();
                log.warn("not repairing the {} rollup of {}/{} family {} at {}: it is older than the raw retention ({}),"
                        + " so its raw rows may be gone; the stored rollup stays as it is", e.resolution(), e.cluster(),
                        e.node(), e.family(), java.time.Instant.ofEpochMilli(e.bucketMillis()), config.retentionRaw());
            } else {
                String q = sql.computeIfAbsent(t.table() + "/" + r.suffix(), k -> RepairSql.upsert(t, r, timescaleSchema));
                Savepoint sp = careful ? c.setSavepoint() : null;
                try (PreparedStatement ps = c.prepareStatement(q)) {
                    ps.setLong(1, e.bucketMillis());
                    ps.setString(2, e.cluster());
                    ps.setString(3, e.node());
                    ps.setLong(4, e.bucketMillis());
                    ps.setLong(5, e.bucketMillis() + r.seconds() * 1000L);
                    rowsByResolution.merge(r.suffix(), ps.executeUpdate(), Integer::sum);
                    entries.merge(e.resolution(), 1, Integer::sum);
                } catch (SQLException ex) {
                    if (sp == null || SqlErrors.classify(ex) != SqlErrors.Kind.DATA) {
                        throw ex;
                    }
                    c.rollback(sp);
                    action = "UPDATE " + Tables.REPAIR_QUEUE + " SET not_before = now() + interval '" + PARKED + "'";
                    metrics.repairsRefused.inc();
                    log.warn("cannot repair {} rollup of {}/{} family {} at {} ({}); the stored rollup stays as it "
                            + "is and the repair is tried again in {}", e.resolution(), e.cluster(), e.node(),
                            e.family(), java.time.Instant.ofEpochMilli(e.bucketMillis()), SqlErrors.describe(ex),
                            PARKED);
                }
            }
            try (PreparedStatement done = c.prepareStatement(action
                    + " WHERE cluster = ? AND node = ? AND family = ? AND resolution = ? "
                    + "AND bucket = timestamptz 'epoch' + ?::bigint * interval '1 millisecond'")) {
                done.setString(1, e.cluster());
                done.setString(2, e.node());
                done.setString(3, e.family());
                done.setString(4, e.resolution());
                done.setLong(5, e.bucketMillis());
                done.executeUpdate();
            }
        }
        c.commit();
        entries.forEach((res, n) -> metrics.repairs.add(n, res));
        rowsByResolution.forEach((res, n) -> metrics.repairedRows.add(n, res));
        log.info("repaired {} rollup entries ({} rows recomputed by resolution {})",
                entries.values().stream().mapToInt(Integer::intValue).sum(),
                rowsByResolution.values().stream().mapToInt(Integer::intValue).sum(), rowsByResolution);
        return due.size();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = Database.connect(config.jdbcUrl(), config.writer(), "nodepulse-sink-repair",
                    config.socketTimeout());
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                         + "ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'")) {
                timescaleSchema = rs.next() ? "\"" + rs.getString(1).replace("\"", "\"\"") + "\"" : "";
            }
            sql.clear();
        }
        return connection;
    }
}
