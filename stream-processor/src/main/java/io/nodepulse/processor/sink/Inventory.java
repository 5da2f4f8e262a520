package io.nodepulse.processor.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What events tell the nodes inventory. A node's row is rewritten only when a batch changes it: an earlier first
 * sighting, a last sighting {@link #STEP_MILLIS} or more past the stored one, or another boot, run or agent version
 * at or after the stored last sighting. The database applies this rule to the row it holds; this writer also
 * remembers the rows it wrote, so a batch that changes none of them sends no statement at all.
 */
final class Inventory {
    /** How far the stored last sighting may trail; the nodes view shows the exact one from latest. */
    static final long STEP_MILLIS = 60_000;
    /** Beyond this many remembered nodes, start again (one entry is about 300 bytes). */
    private static final int MAX_REMEMBERED = 200_000;
    private static final String MILLIS = "(extract(epoch FROM %s) * 1000)::bigint";

    /**
     * The rows as this writer last wrote them. Used by one thread at a time: the lane's writer thread, or the lane
     * thread once it has waited for the writer (retries, bisecting, the flush on close).
     */
    private final Map<EncodedBatch.NodeKey, EncodedBatch.Seen> written = new HashMap<>();
    private final Map<EncodedBatch.NodeKey, EncodedBatch.Seen> pending = new HashMap<>();
    private volatile boolean forget;

    /** Another writer may change these rows from now on (partitions moved): trust none remembered. Any thread. */
    void forget() {
        forget = true;
    }

    /** Whether a batch's sighting {@code s} changes the stored row {@code stored} (null: no row known). */
    static boolean changes(EncodedBatch.Seen stored, EncodedBatch.Seen s) {
        if (stored == null) {
            return true;
        }
        return s.firstMillis() < stored.firstMillis()
                || s.lastMillis() >= stored.lastMillis() + STEP_MILLIS
                || s.lastMillis() >= stored.lastMillis() && !(Objects.equals(s.bootId(), stored.bootId())
                && Objects.equals(s.runId(), stored.runId()) && Objects.equals(s.agentVersion(), stored.agentVersion()));
    }

    /** Writes the rows the batch changes, in the caller's transaction; {@link #committed()} once it commits. */
    void write(Connection c, Map<EncodedBatch.NodeKey, EncodedBatch.Seen> seen) throws SQLException {
        if (forget) {
            forget = false;
            written.clear();
        }
        pending.clear();
        Map<EncodedBatch.NodeKey, EncodedBatch.Seen> send = new LinkedHashMap<>();
        seen.forEach((k, s) -> {
            if (changes(written.get(k), s)) {
                send.put(k, s);
            }
        });
        if (send.isEmpty()) {
            return;
        }
        int n = send.size();
        String[] cluster = new String[n];
        String[] node = new String[n];
        Long[] first = new Long[n];
        Long[] last = new Long[n];
        String[] boot = new String[n];
        String[] run = new String[n];
        String[] version = new String[n];
        int i = 0;
        for (Map.Entry<EncodedBatch.NodeKey, EncodedBatch.Seen> e : send.entrySet()) {
            cluster[i] = e.getKey().cluster();
            node[i] = e.getKey().node();
            first[i] = e.getValue().firstMillis();
            last[i] = e.getValue().lastMillis();
            boot[i] = e.getValue().bootId();
            run[i] = e.getValue().runId();
            version[i++] = e.getValue().agentVersion();
        }
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setArray(1, c.createArrayOf("text", cluster));
            ps.setArray(2, c.createArrayOf("text", node));
            ps.setArray(3, c.createArrayOf("bigint", first));
            ps.setArray(4, c.createArrayOf("bigint", last));
            ps.setArray(5, c.createArrayOf("text", boot));
            ps.setArray(6, c.createArrayOf("text", run));
            ps.setArray(7, c.createArrayOf("text", version));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.put(new EncodedBatch.NodeKey(rs.getString(1), rs.getString(2)), new EncodedBatch.Seen(
                            rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
    }

    /** The transaction of the last {@link #write} committed: remember the rows it wrote. */
    void committed() {
        if (written.size() + pending.size() > MAX_REMEMBERED) {
            written.clear();
        }
        written.putAll(pending);
        pending.clear();
    }

    private static final String SQL;

    static {
        String newer = "CASE WHEN %2$s.last_seen >= n.last_seen THEN %2$s.%1$s ELSE n.%1$s END";
        String stored = "n.cluster, n.node, n.first_seen, n.last_seen, n.boot_id, n.run_id, n.agent_version";
        String change = "(u.first_seen < n.first_seen OR u.last_seen >= n.last_seen + interval '" + STEP_MILLIS
                + " milliseconds' OR (u.last_seen >= n.last_seen AND (u.boot_id, u.run_id, u.agent_version) "
                + "IS DISTINCT FROM (n.boot_id, n.run_id, n.agent_version)))";
        // rows there are updated in place (no speculative insert, no tuple lock), then new nodes are inserted
        SQL = "WITH u AS (SELECT u.c, u.n, " + BatchWriter.EPOCH_MS.formatted("u.f") + " AS first_seen, "
                + BatchWriter.EPOCH_MS.formatted("u.l") + " AS last_seen, u.b AS boot_id, u.r AS run_id, u.v AS agent_version "
                + "FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[]) "
                + "AS u(c, n, f, l, b, r, v)), "
                + "moved AS (UPDATE " + Tables.NODES + " n SET first_seen = LEAST(n.first_seen, u.first_seen), "
                + "last_seen = GREATEST(n.last_seen, u.last_seen), boot_id = " + newer.formatted("boot_id", "u")
                + ", run_id = " + newer.formatted("run_id", "u") + ", agent_version = "
                + newer.formatted("agent_version", "u") + ", updated_at = now() FROM u "
                + "WHERE n.cluster = u.c AND n.node = u.n AND " + change + " RETURNING " + stored + "), "
                + "added AS (INSERT INTO " + Tables.NODES + " AS n (cluster, node, first_seen, last_seen, boot_id, "
                + "run_id, agent_version) SELECT u.c, u.n, u.first_seen, u.last_seen, u.boot_id, u.run_id, "
                + "u.agent_version FROM u " + BatchWriter.NEW_ONLY.formatted(Tables.NODES) + BatchWriter.IN_KEY_ORDER
                + "ON CONFLICT (cluster, node) DO UPDATE SET first_seen = LEAST(n.first_seen, EXCLUDED.first_seen), "
                + "last_seen = GREATEST(n.last_seen, EXCLUDED.last_seen), boot_id = "
                + newer.formatted("boot_id", "EXCLUDED") + ", run_id = " + newer.formatted("run_id", "EXCLUDED")
                + ", agent_version = " + newer.formatted("agent_version", "EXCLUDED") + ", updated_at = now() "
                + "RETURNING " + stored + ") "
                + "SELECT cluster, node, " + MILLIS.formatted("first_seen") + ", " + MILLIS.formatted("last_seen")
                + ", boot_id, run_id, agent_version FROM (SELECT * FROM moved UNION ALL SELECT * FROM added) w";
    }
}
