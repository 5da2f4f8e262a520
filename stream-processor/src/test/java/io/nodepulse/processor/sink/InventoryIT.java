package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What each batch does to the inventory and the latest table, as the writer role: latest follows the newest event
 * and never moves back; a node's inventory row is only rewritten when its first or last sighting moves by a step,
 * or its boot, run or agent version changes; the nodes view still shows the exact last sighting.
 */
class InventoryIT extends Fixtures.PreparedStack {
    private static final String CLUSTER = "inventory";
    private final BatchWriter writer = new BatchWriter("inventory-it", Duration.ofSeconds(30));
    private final Instant t0 = Instant.parse("2026-11-20T10:00:00Z");

    @Test
    void latestFollowsTheNewestEventAndTheInventoryIsRewrittenOnlyWhenItChanges() throws Exception {
        try (Connection c = stack.connect(stack.writer()); Connection reader = stack.connect(stack.reader())) {
            write(c, batch("a", 0, 0, "boot-1", 0.10), batch("b", 0, 0, "boot-1", 0.20));
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0, t0, "boot-1", t0));
            assertThat(latest(c, "a")).isEqualTo(new Latest(t0, 0.10));
            long version = rowVersion(c, "a");

            // 30 s later, same boot: latest moves, the stored row is left alone, the view shows the new sighting
            write(c, batch("a", 30, 30, "boot-1", 0.30));
            assertThat(latest(c, "a")).isEqualTo(new Latest(t0.plusSeconds(30), 0.30));
            assertThat(rowVersion(c, "a")).as("inventory row not rewritten").isEqualTo(version);
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0, t0, "boot-1", t0.plusSeconds(30)));
            // the database applies the same rule for a writer that remembers nothing (after a rebalance)
            write(new BatchWriter("inventory-it", Duration.ofSeconds(30)), c, batch("a", 35, 35, "boot-1", 0.35));
            assertThat(rowVersion(c, "a")).as("inventory row not rewritten").isEqualTo(version);
            writer.forgetInventory();
            write(c, batch("a", 36, 36, "boot-1", 0.36));
            assertThat(rowVersion(c, "a")).as("inventory row not rewritten").isEqualTo(version);

            // a reboot is written at once
            write(c, batch("a", 40, 40, "boot-2", 0.40));
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0, t0.plusSeconds(40), "boot-2", t0.plusSeconds(40)));
            version = rowVersion(c, "a");

            // a straggler of the old boot changes neither the boot nor latest
            write(c, batch("a", 20, 20, "boot-1", 0.99));
            write(new BatchWriter("inventory-it", Duration.ofSeconds(30)), c, batch("a", 21, 21, "boot-1", 0.99));
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0, t0.plusSeconds(40), "boot-2", t0.plusSeconds(40)));
            assertThat(latest(c, "a")).isEqualTo(new Latest(t0.plusSeconds(40), 0.40));
            assertThat(rowVersion(c, "a")).isEqualTo(version);

            // a minute past the stored sighting, the stored row moves
            write(c, batch("a", 99, 99, "boot-2", 0.50));
            assertThat(rowVersion(c, "a")).isEqualTo(version);
            write(c, batch("a", 101, 101, "boot-2", 0.60));
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0, t0.plusSeconds(101), "boot-2", t0.plusSeconds(101)));

            // an earlier first sighting (a replayed spool) moves first_seen only
            write(c, batch("a", -600, -590, "boot-0", 0.70));
            assertThat(nodes(c, reader, "a")).isEqualTo(new Node(t0.minusSeconds(600), t0.plusSeconds(101), "boot-2",
                    t0.plusSeconds(101)));
            assertThat(latest(c, "a")).isEqualTo(new Latest(t0.plusSeconds(101), 0.60));

            // a new agent version is written at once; a new node in the same batch is inserted
            EncodedBatch upgrade = batch("a", 105, 105, "boot-2", 0.80);
            upgrade.seen.put(key("a"), new EncodedBatch.Seen(ms(105), ms(105), "boot-2", "run-a", "v2"));
            write(c, upgrade, batch("c", 105, 105, "boot-9", 0.90));
            assertThat(strings(reader, "SELECT agent_version FROM nodepulse.nodes WHERE node = 'a'")).isEqualTo("v2");
            assertThat(nodes(c, reader, "c")).isEqualTo(new Node(t0.plusSeconds(105), t0.plusSeconds(105), "boot-9",
                    t0.plusSeconds(105)));
            assertThat(nodes(c, reader, "b")).isEqualTo(new Node(t0, t0, "boot-1", t0));
        }
    }

    private record Node(Instant first, Instant stored, String boot, Instant lastSeen) {
    }

    private record Latest(Instant time, double busy) {
    }

    private long ms(long seconds) {
        return t0.plusSeconds(seconds).toEpochMilli();
    }

    private static EncodedBatch.NodeKey key(String node) {
        return new EncodedBatch.NodeKey(CLUSTER, node);
    }

    /** One node's events from first to last (seconds after t0), as the encoder summarises them. */
    private EncodedBatch batch(String node, long first, long last, String boot, double busy) {
        EncodedBatch b = new EncodedBatch();
        b.seen.put(key(node), new EncodedBatch.Seen(ms(first), ms(last), boot, "run-" + node, "v1"));
        b.latest.put(key(node), new EncodedBatch.LatestRow(ms(last), 4, busy, 8L << 30, 4L << 30, 4L << 30, 1.0,
                0.0, 0.0, 0.0, 0.0, 0.5, 3));
        return b;
    }

    /** Commits the bookkeeping of the given batches in one transaction, as the sink does. */
    private void write(Connection c, EncodedBatch... batches) throws Exception {
        write(writer, c, batches);
    }

    private static void write(BatchWriter writer, Connection c, EncodedBatch... batches) throws Exception {
        EncodedBatch all = new EncodedBatch();
        for (EncodedBatch b : batches) {
            all.seen.putAll(b.seen);
            all.latest.putAll(b.latest);
        }
        c.setAutoCommit(false);
        writer.writeBookkeeping(c, all, Map.of());
        writer.commit(c);
        c.setAutoCommit(true);
    }

    /** The stored row, as the writer sees it, and the last sighting the nodes view shows a reader. */
    private static Node nodes(Connection writer, Connection reader, String node) throws SQLException {
        String where = " WHERE cluster = '" + CLUSTER + "' AND node = '" + node + "'";
        try (PreparedStatement ps = writer.prepareStatement("SELECT first_seen, last_seen, boot_id FROM "
                + "nodepulse_data.nodes" + where); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("inventory row of " + node).isTrue();
            Instant view = Instant.parse(strings(reader, "SELECT to_char(last_seen AT TIME ZONE 'UTC', "
                    + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM nodepulse.nodes" + where));
            return new Node(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(), rs.getString(3), view);
        }
    }

    private static Latest latest(Connection c, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT time, cpu_busy_ratio FROM nodepulse_data.latest "
                + "WHERE cluster = ? AND node = ?")) {
            ps.setString(1, CLUSTER);
            ps.setString(2, node);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("latest row of " + node).isTrue();
                return new Latest(rs.getTimestamp(1).toInstant(), rs.getDouble(2));
            }
        }
    }

    /** The inventory row's xmin: it changes exactly when the row is rewritten. */
    private static long rowVersion(Connection c, String node) throws SQLException {
        return Long.parseLong(strings(c, "SELECT xmin::text FROM nodepulse_data.nodes WHERE cluster = '" + CLUSTER
                + "' AND node = '" + node + "'"));
    }

    private static String strings(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}
