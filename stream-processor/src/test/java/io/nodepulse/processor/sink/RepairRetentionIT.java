package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A repair queued for a bucket older than the raw retention is not run: retention may already have dropped
 * part of its raw rows, and a rollup rebuilt from the rest would replace a correct one with a partial one.
 */
class RepairRetentionIT extends Fixtures.PreparedStack {
    @Test
    void aRepairOlderThanTheRawRetentionLeavesTheStoredRollupAlone() throws Exception {
        Map<String, String> env = Fixtures.env(stack, stack.jdbcUrl());
        env.put("NODEPULSE_RETENTION_ENABLED", "true");
        env.put("NODEPULSE_RETENTION_RAW", "1d");
        SinkConfig config = SinkConfig.fromEnv(env);
        String load = Tables.data(Tables.forFamily("load").table());
        String load1m = Tables.data(Tables.forFamily("load").rollupTable(Resolution.MINUTE));
        Instant old = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.DAYS);
        Instant recent = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        MetricRegistry registry = new MetricRegistry();
        try (Connection c = stack.connect(stack.owner())) {
            for (Instant minute : new Instant[] {old, recent}) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + load + " (cluster, node, time, load1, "
                        + "load5, load15, uptime_seconds, boot_time) VALUES ('retention', 'n1', ?, 0.5, 1, 1, 100, ?)")) {
                    ps.setObject(1, OffsetDateTime.ofInstant(minute, ZoneOffset.UTC));
                    ps.setObject(2, OffsetDateTime.ofInstant(minute.minus(1, ChronoUnit.DAYS), ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + Tables.REPAIR_QUEUE + " (cluster, "
                        + "node, family, resolution, bucket, not_before) VALUES ('retention', 'n1', 'load', '1m', ?, "
                        + "now() - interval '1 minute')")) {
                    ps.setObject(1, OffsetDateTime.ofInstant(minute, ZoneOffset.UTC));
                    ps.executeUpdate();
                }
            }

            RepairTask task = new RepairTask(config, () -> true, new SinkMetrics(registry));
            assertThat(task.runRound()).isEqualTo(2);

            assertThat(Fixtures.count(c, "SELECT count(*) FROM " + load1m + " WHERE node = 'n1' AND bucket = '"
                    + recent + "'")).as("the recent bucket is repaired").isEqualTo(1);
            assertThat(Fixtures.count(c, "SELECT count(*) FROM " + load1m + " WHERE node = 'n1' AND bucket = '"
                    + old + "'")).as("the bucket beyond the raw retention is not").isZero();
            assertThat(Fixtures.rows(c, Tables.REPAIR_QUEUE)).as("both entries are done with").isZero();
        }
        assertThat(registry.scrape()).contains("nodepulse_sink_repairs_too_old_total 1")
                .contains("nodepulse_sink_repairs_total{resolution=\"1m\"} 1");
    }
}
