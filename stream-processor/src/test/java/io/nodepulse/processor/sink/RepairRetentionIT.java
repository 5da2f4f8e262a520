package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import java.sql.Connection;
import java.time.Instant;
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
        String load1m = Tables.data(Tables.forFamily("load").rollupTable(Resolution.MINUTE));
        Instant old = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.DAYS);
        Instant recent = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        MetricRegistry registry = new MetricRegistry();
        try (Connection c = stack.connect(stack.owner())) {
            for (Instant minute : new Instant[] {old, recent}) {
                Fixtures.insertLoad(c, "retention", "n1", minute, 0.5);
                Fixtures.queueLoadRepair(c, "retention", "n1", minute, 60);
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
