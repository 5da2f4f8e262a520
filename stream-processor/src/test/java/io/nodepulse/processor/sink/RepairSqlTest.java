package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The repair statement follows the contract's semantics; its results are checked against Java in LateRepairIT. */
class RepairSqlTest {

    @Test
    void nodeLevelFamilyAggregatesNonNullValuesAndUpserts() {
        String sql = RepairSql.upsert(Tables.forFamily("cpu"), Resolution.MINUTE, "public");
        assertThat(sql).startsWith("INSERT INTO nodepulse_data.cpu_1m AS r (cluster, node, bucket, samples, "
                + "last_event_time, count_min, count_max, count_sum, count_count, count_last, ");
        assertThat(sql)
                .contains("count(*)::int", "max(time)")
                .contains("min((busy_ratio)::float8)", "max((busy_ratio)::float8)", "sum((busy_ratio)::float8)")
                .contains("NULLIF(count(busy_ratio), 0)")
                .contains("public.last((busy_ratio)::float8, time) FILTER (WHERE busy_ratio IS NOT NULL)")
                .contains("public.first((user_seconds_total)::float8, time) FILTER (WHERE user_seconds_total IS NOT NULL)")
                .contains("FROM nodepulse_data.cpu\n WHERE cluster = ? AND node = ? AND time >= ")
                .contains("GROUP BY cluster, node\n")
                .endsWith(", busy_ratio_last = EXCLUDED.busy_ratio_last")
                .contains("ON CONFLICT (cluster, node, bucket) DO UPDATE SET samples = EXCLUDED.samples, "
                        + "last_event_time = EXCLUDED.last_event_time, ");
        assertThat(sql.chars().filter(ch -> ch == '?').count()).isEqualTo(5);
    }

    @Test
    void perDeviceFamilyGroupsByDeviceAndKeepsAttributesAsText() {
        String sql = RepairSql.upsert(Tables.forFamily("filesystem"), Resolution.HOUR, "");
        assertThat(sql).startsWith("INSERT INTO nodepulse_data.filesystem_1h AS r (cluster, node, mount_point, bucket, ")
                .contains("last((read_only)::text, time) FILTER (WHERE read_only IS NOT NULL)")
                .contains("last((fs_type)::text, time) FILTER (WHERE fs_type IS NOT NULL)")
                .contains("GROUP BY cluster, node, mount_point\n")
                .contains("ON CONFLICT (cluster, node, mount_point, bucket) DO UPDATE");
    }

    @Test
    void booleansAndTimestampsCountAsJavaCountsThem() {
        assertThat(RepairSql.upsert(Tables.forFamily("clock"), Resolution.MINUTE, ""))
                .contains("min((synced)::int::float8)");
        assertThat(RepairSql.upsert(Tables.forFamily("load"), Resolution.MINUTE, ""))
                .contains("min((extract(epoch FROM boot_time) * 1000)::float8)");
    }
}
