package io.nodepulse.processor.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops chunks older than each tier's retention with {@code drop_chunks} (part of TimescaleDB's Apache build;
 * {@code add_retention_policy} is not), as the owner role. Raw tables and node events follow the raw tier, the
 * 1-minute rollups the 1m tier, the 1-hour rollups, status history and alerts the 1h tier. A chunk goes once
 * all of its rows are older than the retention.
 */
public final class Retention implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private final SinkConfig config;
    private final SinkMetrics metrics;
    private volatile String problem;

    Retention(SinkConfig config, SinkMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Why the last run failed, or null. */
    String problem() {
        return problem;
    }

    /** One run on its own connection as the owner; failures are logged and retried at the next run. */
    @Override
    public void run() {
        try (Connection c = Database.connect(config.jdbcUrl(), config.owner(), "nodepulse-retention",
                config.socketTimeout())) {
            Map<Tables.Tier, Integer> dropped = runOnce(c, config);
            dropped.forEach((tier, n) -> {
                if (n > 0) {
                    metrics.retentionDropped.add(n, tier.name().toLowerCase(java.util.Locale.ROOT));
                }
            });
            metrics.retentionLastRun.set(System.currentTimeMillis() / 1000.0);
            problem = null;
        } catch (SQLException e) {
            problem = "retention failed (" + SqlErrors.describe(e) + ")";
            log.warn("retention run failed ({}); it runs again in {}", SqlErrors.describe(e),
                    config.retentionInterval());
        } catch (RuntimeException e) {
            problem = "retention failed (" + e + ")";
            log.error("retention run failed", e);
        }
    }

    /** Drops expired chunks of every hypertable and returns how many per tier. */
    public static Map<Tables.Tier, Integer> runOnce(Connection owner, SinkConfig config) throws SQLException {
        owner.setAutoCommit(true);
        Map<Tables.Tier, Integer> dropped = new EnumMap<>(Tables.Tier.class);
        for (Map.Entry<Tables.Tier, List<String>> tier : Tables.hypertables().entrySet()) {
            double seconds = config.retention(tier.getKey()).toSeconds();
            int n = 0;
            for (String table : tier.getValue()) {
                try (PreparedStatement ps = owner.prepareStatement("SELECT count(*) FROM drop_chunks(?::regclass, "
                        + "older_than => now() - make_interval(secs => ?))")) {
                    ps.setString(1, table);
                    ps.setDouble(2, seconds);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        int d = rs.getInt(1);
                        if (d > 0) {
                            log.info("retention dropped {} chunk(s) of {} older than {}", d, table,
                                    config.retention(tier.getKey()));
                        }
                        n += d;
                    }
                }
            }
            dropped.put(tier.getKey(), n);
        }
        log.info("retention run done: chunks dropped raw={} 1m={} 1h={} (keeping raw {}, 1m {}, 1h {})",
                dropped.get(Tables.Tier.RAW), dropped.get(Tables.Tier.MINUTE), dropped.get(Tables.Tier.HOUR),
                config.retentionRaw(), config.retention1m(), config.retention1h());
        return dropped;
    }
}
