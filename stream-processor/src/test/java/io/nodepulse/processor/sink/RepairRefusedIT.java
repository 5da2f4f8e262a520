package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * A repair the database refuses for its data (here the sum of two raw values beyond the range of a double)
 * does not hold back the entries queued behind it: they are repaired, and the refused one is kept, counted and
 * put back for later.
 */
class RepairRefusedIT extends Fixtures.PreparedStack {
    @Test
    void aRefusedEntryIsParkedAndTheOthersAreRepaired() throws Exception {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);
        String load1m = Tables.data(Tables.forFamily("load").rollupTable(Resolution.MINUTE));
        MetricRegistry registry = new MetricRegistry();
        try (Connection c = stack.connect(stack.owner())) {
            Fixtures.insertLoad(c, "repair", "overflowing", minute, 1e308, 1e308);
            Fixtures.insertLoad(c, "repair", "fine", minute, 1.5, 2.5);
            Fixtures.queueLoadRepair(c, "repair", "overflowing", minute, 120);
            Fixtures.queueLoadRepair(c, "repair", "fine", minute, 60);

            RepairTask task = new RepairTask(Fixtures.config(stack), () -> true, new SinkMetrics(registry));
            assertThat(task.runRound()).as("entries due in the round").isEqualTo(2);

            assertThat(Fixtures.count(c, "SELECT count(*) FROM " + load1m + " WHERE node = 'fine'")).isEqualTo(1);
            assertThat(Fixtures.count(c, "SELECT count(*) FROM " + load1m + " WHERE node = 'overflowing'"))
                    .isZero();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT node, not_before > now() + interval '50 minutes' FROM "
                         + Tables.REPAIR_QUEUE)) {
                assertThat(rs.next()).as("the refused entry is still queued").isTrue();
                assertThat(rs.getString(1)).isEqualTo("overflowing");
                assertThat(rs.getBoolean(2)).as("and put back by an hour").isTrue();
                assertThat(rs.next()).as("the repaired entry is gone").isFalse();
            }
            assertThat(task.runRound()).as("nothing due until the hour has passed").isZero();
        }
        assertThat(registry.scrape()).contains("nodepulse_sink_repairs_refused_total 1")
                .contains("nodepulse_sink_repairs_total{resolution=\"1m\"} 1");
    }
}
