package io.nodepulse.processor.sink;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Writes one encoded batch and the consumer offsets it covers in a single transaction. Straight sources are
 * binary-COPYed into their hypertables; staged ones are COPYed into a temporary table of the same shape and
 * moved with INSERT … SELECT … ON CONFLICT DO NOTHING. The offsets row of each partition is only moved from the
 * value this sink last read or wrote, so a second consumer of the same partition (a zombie after a rebalance)
 * cannot commit the same records twice: its transaction fails with {@link FencedException}.
 */
final class BatchWriter {
    /**
     * Rows new to latest or nodes are inserted in (cluster, node) order, so two sinks whose batches share new nodes
     * wait for each other instead of deadlocking. Rows that exist are updated in the order the join takes: two
     * sinks of one partition (a zombie during a rebalance) can deadlock there, and PostgreSQL aborts one of them,
     * whose batch is retried (SQLState 40P01 is retriable).
     */
    static final String IN_KEY_ORDER = "ORDER BY u.c, u.n ";
    /** Only rows that are not there yet: the update before it took care of the others. */
    static final String NEW_ONLY = "WHERE NOT EXISTS (SELECT 1 FROM %s x WHERE x.cluster = u.c AND x.node = u.n) ";
    private static final int COPY_CHUNK = 1 << 20;
    static final String EPOCH_MS = "timestamptz 'epoch' + %s * interval '1 millisecond'";

    private static final String LATEST_COLUMNS = "cpu_count, cpu_busy_ratio, memory_total_bytes, memory_used_bytes, "
            + "memory_available_bytes, load1, disk_read_bytes_per_sec, disk_written_bytes_per_sec, "
            + "net_rx_bytes_per_sec, net_tx_bytes_per_sec, fs_max_used_ratio, pods";
    /**
     * One statement updates the nodes already in latest (no speculative insert, no tuple lock) and inserts new
     * ones; a row only moves to a newer time.
     */
    private static final String LATEST_SQL = "WITH u AS (SELECT u.c, u.n, " + EPOCH_MS.formatted("u.t") + " AS time, "
            + LATEST_COLUMNS + " FROM unnest(?::text[], ?::text[], ?::bigint[], ?::int[], ?::float8[], ?::bigint[], "
            + "?::bigint[], ?::bigint[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], "
            + "?::int[]) AS u(c, n, t, " + LATEST_COLUMNS + ")), "
            + "moved AS (UPDATE " + Tables.LATEST + " l SET " + assignments("u") + " FROM u "
            + "WHERE l.cluster = u.c AND l.node = u.n AND l.time < u.time) "
            + "INSERT INTO " + Tables.LATEST + " AS l (cluster, node, time, " + LATEST_COLUMNS + ") SELECT u.c, u.n, "
            + "u.time, " + LATEST_COLUMNS + " FROM u " + NEW_ONLY.formatted(Tables.LATEST) + IN_KEY_ORDER
            + "ON CONFLICT (cluster, node) DO UPDATE SET " + assignments("EXCLUDED") + " WHERE l.time < EXCLUDED.time";

    /** {@code time = <from>.time, cpu_count = <from>.cpu_count, …} for every column of latest. */
    private static String assignments(String from) {
        StringBuilder set = new StringBuilder("time = " + from + ".time");
        for (String col : LATEST_COLUMNS.split(", ")) {
            set.append(", ").append(col).append(" = ").append(from).append('.').append(col);
        }
        return set.toString();
    }

    private final String groupId;
    private final Duration repairSettle;
    private final Set<String> staging = new HashSet<>();
    private final Inventory inventory = new Inventory();
    private Connection stagingOwner;

    BatchWriter(String groupId, Duration repairSettle) {
        this.groupId = groupId;
        this.repairSettle = repairSettle;
    }

    /** What a committed batch wrote. */
    record Outcome(Map<String, Long> rows, long duplicates, int repairsQueued) {
    }

    /** Another consumer moved a partition's stored offset: this sink's view of it is stale. */
    static final class FencedException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient List<TopicPartition> partitions;

        FencedException(List<TopicPartition> partitions) {
            super("stored offsets of " + partitions + " moved under this sink");
            this.partitions = partitions;
        }
    }

    /**
     * Writes and commits. On any exception the transaction is rolled back by the caller's
     * {@link Database#rollbackQuietly}; nothing of the batch is stored.
     *
     * @param expected the stored next offset this sink believes each partition has (absent: no row yet)
     */
    Outcome write(Connection c, EncodedBatch b, Map<TopicPartition, Long> expected)
            throws SQLException, FencedException {
        if (c != stagingOwner) {
            staging.clear();
            stagingOwner = c;
        }
        boolean ok = false;
        try {
            c.setAutoCommit(false);
            Map<String, Long> rows = new LinkedHashMap<>();
            long duplicates = 0;
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (TableCopy t : b.copies.values()) {
                if (t.rows.rows() == 0) {
                    continue;
                }
                if (t.staged) {
                    String stage = ensureStaging(c, t);
                    long copied = copyIn(copy, "COPY " + stage + " (" + t.columnList() + ") FROM STDIN (FORMAT binary)", t);
                    long inserted;
                    try (Statement st = c.createStatement()) {
                        inserted = st.executeLargeUpdate("INSERT INTO " + t.table + " (" + t.columnList() + ") SELECT "
                                + t.columnList() + " FROM " + stage + " ON CONFLICT DO NOTHING");
                    }
                    duplicates += copied - inserted;
                    rows.merge(t.table, inserted, Long::sum);
                } else {
                    long n = copyIn(copy, "COPY " + t.table + " (" + t.columnList() + ") FROM STDIN (FORMAT binary)", t);
                    rows.merge(t.table, n, Long::sum);
                }
            }
            int repairs = writeBookkeeping(c, b, expected);
            commit(c);
            ok = true;
            return new Outcome(rows, duplicates, repairs);
        } finally {
            if (!ok) {
                // a rolled-back CREATE TEMP TABLE is gone too
                staging.clear();
            }
        }
    }

    /** Commits the transaction of {@link #writeBookkeeping}. */
    void commit(Connection c) throws SQLException {
        c.commit();
        inventory.committed();
    }

    /** Partitions moved: other writers may change the inventory rows this writer remembers. Any thread. */
    void forgetInventory() {
        inventory.forget();
    }

    /** Everything of a batch but its rows: repairs, latest, inventory and the fenced offsets. */
    int writeBookkeeping(Connection c, EncodedBatch b, Map<TopicPartition, Long> expected)
            throws SQLException, FencedException {
        int repairs = queueRepairs(c, b);
        upsertLatest(c, b);
        inventory.write(c, b.seen);
        upsertStatus(c, b);
        storeOffsets(c, b, expected);
        return repairs;
    }

    private String ensureStaging(Connection c, TableCopy t) throws SQLException {
        String stage = t.stagingTable();
        if (staging.add(stage)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + t.table
                        + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
            }
        }
        return stage;
    }

    private static long copyIn(CopyManager copy, String sql, TableCopy t) throws SQLException {
        CopyIn in = copy.copyIn(sql);
        try {
            byte[] buf = t.rows.buffer();
            int len = t.rows.size();
            for (int off = 0; off < len; off += COPY_CHUNK) {
                in.writeToCopy(buf, off, Math.min(COPY_CHUNK, len - off));
            }
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private int queueRepairs(Connection c, EncodedBatch b) throws SQLException {
        if (b.repairs.isEmpty()) {
            return 0;
        }
        int n = b.repairs.size();
        String[] cluster = new String[n];
        String[] node = new String[n];
        String[] family = new String[n];
        String[] resolution = new String[n];
        Long[] bucket = new Long[n];
        int i = 0;
        for (EncodedBatch.RepairKey k : b.repairs) {
            cluster[i] = k.cluster();
            node[i] = k.node();
            family[i] = k.family();
            resolution[i] = k.resolution().suffix();
            bucket[i++] = k.bucketMillis();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.REPAIR_QUEUE
                + " (cluster, node, family, resolution, bucket, queued_at, not_before) "
                + "SELECT u.c, u.n, u.f, u.r, " + EPOCH_MS.formatted("u.b") + ", now(), now() + make_interval(secs => ?) "
                + "FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[]) AS u(c, n, f, r, b) "
                + "ON CONFLICT (cluster, node, family, resolution, bucket) DO UPDATE "
                + "SET queued_at = EXCLUDED.queued_at, not_before = EXCLUDED.not_before")) {
            ps.setDouble(1, repairSettle.toMillis() / 1000.0);
            ps.setArray(2, c.createArrayOf("text", cluster));
            ps.setArray(3, c.createArrayOf("text", node));
            ps.setArray(4, c.createArrayOf("text", family));
            ps.setArray(5, c.createArrayOf("text", resolution));
            ps.setArray(6, c.createArrayOf("bigint", bucket));
            ps.executeUpdate();
        }
        return n;
    }

    private static void upsertLatest(Connection c, EncodedBatch b) throws SQLException {
        if (b.latest.isEmpty()) {
            return;
        }
        int n = b.latest.size();
        String[] cluster = new String[n];
        String[] node = new String[n];
        Long[] time = new Long[n];
        Integer[] cpuCount = new Integer[n];
        Double[] busy = new Double[n];
        Long[] memTotal = new Long[n];
        Long[] memUsed = new Long[n];
        Long[] memAvail = new Long[n];
        Double[] load1 = new Double[n];
        Double[] diskR = new Double[n];
        Double[] diskW = new Double[n];
        Double[] rx = new Double[n];
        Double[] tx = new Double[n];
        Double[] fs = new Double[n];
        Integer[] pods = new Integer[n];
        int i = 0;
        for (Map.Entry<EncodedBatch.NodeKey, EncodedBatch.LatestRow> e : b.latest.entrySet()) {
            EncodedBatch.LatestRow r = e.getValue();
            cluster[i] = e.getKey().cluster();
            node[i] = e.getKey().node();
            time[i] = r.timeMillis();
            cpuCount[i] = r.cpuCount();
            busy[i] = r.cpuBusy();
            memTotal[i] = r.memTotal();
            memUsed[i] = r.memUsed();
            memAvail[i] = r.memAvailable();
            load1[i] = r.load1();
            diskR[i] = r.diskRead();
            diskW[i] = r.diskWritten();
            rx[i] = r.netRx();
            tx[i] = r.netTx();
            fs[i] = r.fsMaxUsed();
            pods[i++] = r.pods();
        }
        try (PreparedStatement ps = c.prepareStatement(LATEST_SQL)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("text", cluster));
            ps.setArray(p++, c.createArrayOf("text", node));
            ps.setArray(p++, c.createArrayOf("bigint", time));
            ps.setArray(p++, c.createArrayOf("int4", cpuCount));
            ps.setArray(p++, c.createArrayOf("float8", busy));
            ps.setArray(p++, c.createArrayOf("bigint", memTotal));
            ps.setArray(p++, c.createArrayOf("bigint", memUsed));
            ps.setArray(p++, c.createArrayOf("bigint", memAvail));
            ps.setArray(p++, c.createArrayOf("float8", load1));
            ps.setArray(p++, c.createArrayOf("float8", diskR));
            ps.setArray(p++, c.createArrayOf("float8", diskW));
            ps.setArray(p++, c.createArrayOf("float8", rx));
            ps.setArray(p++, c.createArrayOf("float8", tx));
            ps.setArray(p++, c.createArrayOf("float8", fs));
            ps.setArray(p, c.createArrayOf("int4", pods));
            ps.executeUpdate();
        }
    }

    private static void upsertStatus(Connection c, EncodedBatch b) throws SQLException {
        if (b.statuses.isEmpty()) {
            return;
        }
        int n = b.statuses.size();
        String[] cluster = new String[n];
        String[] node = new String[n];
        String[] state = new String[n];
        Long[] since = new Long[n];
        Long[] lastSeen = new Long[n];
        String[] reason = new String[n];
        String[] boot = new String[n];
        String[] run = new String[n];
        int i = 0;
        for (Map.Entry<EncodedBatch.NodeKey, EncodedBatch.StatusRow> e : b.statuses.entrySet()) {
            EncodedBatch.StatusRow s = e.getValue();
            cluster[i] = e.getKey().cluster();
            node[i] = e.getKey().node();
            state[i] = s.state();
            since[i] = s.sinceMillis();
            lastSeen[i] = s.lastSeenMillis();
            reason[i] = s.reason();
            boot[i] = s.bootId();
            run[i++] = s.runId();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.NODES + " AS n (cluster, node, "
                + "first_seen, last_seen, status, status_since, status_reason, boot_id, run_id) SELECT u.c, u.n, "
                + EPOCH_MS.formatted("u.l") + ", " + EPOCH_MS.formatted("u.l") + ", u.s, " + EPOCH_MS.formatted("u.t")
                + ", u.r, u.b, u.run FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], "
                + "?::text[], ?::text[], ?::text[]) AS u(c, n, s, t, l, r, b, run) " + IN_KEY_ORDER
                + "ON CONFLICT (cluster, node) DO UPDATE SET status = EXCLUDED.status, "
                + "status_since = EXCLUDED.status_since, status_reason = EXCLUDED.status_reason, "
                + "first_seen = LEAST(n.first_seen, EXCLUDED.first_seen), "
                + "last_seen = GREATEST(n.last_seen, EXCLUDED.last_seen), updated_at = now() "
                + "WHERE n.status_since IS NULL OR EXCLUDED.status_since >= n.status_since")) {
            ps.setArray(1, c.createArrayOf("text", cluster));
            ps.setArray(2, c.createArrayOf("text", node));
            ps.setArray(3, c.createArrayOf("text", state));
            ps.setArray(4, c.createArrayOf("bigint", since));
            ps.setArray(5, c.createArrayOf("bigint", lastSeen));
            ps.setArray(6, c.createArrayOf("text", reason));
            ps.setArray(7, c.createArrayOf("text", boot));
            ps.setArray(8, c.createArrayOf("text", run));
            ps.executeUpdate();
        }
    }

    private void storeOffsets(Connection c, EncodedBatch b, Map<TopicPartition, Long> expected)
            throws SQLException, FencedException {
        List<TopicPartition> moved = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement("UPDATE " + Tables.SINK_OFFSETS
                + " SET next_offset = ?, updated_at = now() WHERE group_id = ? AND topic = ? AND partition = ? "
                + "AND next_offset = ?");
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + Tables.SINK_OFFSETS
                     + " (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Map.Entry<TopicPartition, Long> e : b.nextOffsets.entrySet()) {
                TopicPartition tp = e.getKey();
                Long was = expected.get(tp);
                int n;
                if (was == null) {
                    insert.setString(1, groupId);
                    insert.setString(2, tp.topic());
                    insert.setInt(3, tp.partition());
                    insert.setLong(4, e.getValue());
                    n = insert.executeUpdate();
                } else {
                    update.setLong(1, e.getValue());
                    update.setString(2, groupId);
                    update.setString(3, tp.topic());
                    update.setInt(4, tp.partition());
                    update.setLong(5, was);
                    n = update.executeUpdate();
                }
                if (n != 1) {
                    moved.add(tp);
                }
            }
        }
        if (!moved.isEmpty()) {
            throw new FencedException(moved);
        }
    }

    /** Reads the stored next offset of each partition; absent partitions have no row. */
    static Map<TopicPartition, Long> storedOffsets(Connection c, String groupId, Iterable<TopicPartition> partitions)
            throws SQLException {
        List<String> topics = new ArrayList<>();
        List<Integer> parts = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            topics.add(tp.topic());
            parts.add(tp.partition());
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement("SELECT o.topic, o.partition, o.next_offset FROM "
                + Tables.SINK_OFFSETS + " o JOIN unnest(?::text[], ?::int[]) AS u(t, p) "
                + "ON o.topic = u.t AND o.partition = u.p WHERE o.group_id = ?")) {
            Array t = c.createArrayOf("text", topics.toArray());
            Array p = c.createArrayOf("int4", parts.toArray());
            ps.setArray(1, t);
            ps.setArray(2, p);
            ps.setString(3, groupId);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
        return out;
    }
}
