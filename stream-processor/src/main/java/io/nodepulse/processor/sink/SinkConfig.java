package io.nodepulse.processor.sink;

import io.nodepulse.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sink's settings (database, batching, retries, repair, retention), read with a {@link ConfigReader} so
 * that every problem is reported together with the rest of the processor's configuration. Passwords come from
 * {@code X_FILE} files in production and are masked wherever the configuration is printed.
 *
 * @param jdbcUrl            NODEPULSE_JDBC_URL
 * @param writer             the role the sink writes as
 * @param owner              the role that owns the schema, runs migrations and retention (password may be
 *                           null when neither runs)
 * @param readerUser         the read-only role granted the views
 * @param migrate            run migrations at start (else only check the schema is current)
 * @param groupId            consumer group of the sink; also the key of its rows in the offsets table
 * @param batchSize          records per database transaction (at most)
 * @param linger             how long a partial batch may wait for more records
 * @param retryBackoffMin    first delay after a failed batch
 * @param retryBackoffMax    longest delay between retries
 * @param startupTimeout     how long migrations wait for an unreachable database before giving up; null:
 *                           as long as it takes (the default, so an outage at start is no crash loop)
 * @param socketTimeout      a database call that takes longer than this is treated as a lost connection
 * @param repairSettle       delay before a queued rollup repair runs, so raw rows still in flight land first
 * @param repairInterval     how often the repair task looks for due repairs
 * @param retentionEnabled   run drop_chunks on a schedule
 * @param retentionRaw       keep raw rows this long
 * @param retention1m        keep 1-minute rollups this long
 * @param retention1h        keep 1-hour rollups, status history and alerts this long
 * @param retentionInterval  how often retention runs
 * @param kafka              Kafka client properties from KAFKA_* variables (bootstrap, security…)
 */
public record SinkConfig(String jdbcUrl, DbLogin writer, DbLogin owner, String readerUser, boolean migrate,
                         String groupId, int batchSize, Duration linger, Duration retryBackoffMin,
                         Duration retryBackoffMax, Duration startupTimeout, Duration socketTimeout,
                         Duration repairSettle, Duration repairInterval, boolean retentionEnabled,
                         Duration retentionRaw, Duration retention1m, Duration retention1h,
                         Duration retentionInterval, Map<String, Object> kafka) {

    public static final String JDBC_URL = "NODEPULSE_JDBC_URL";
    public static final String WRITER_USER = "NODEPULSE_DB_WRITER_USER";
    public static final String WRITER_PASSWORD = "NODEPULSE_DB_WRITER_PASSWORD";
    public static final String OWNER_USER = "NODEPULSE_DB_OWNER_USER";
    public static final String OWNER_PASSWORD = "NODEPULSE_DB_OWNER_PASSWORD";
    public static final String READER_USER = "NODEPULSE_DB_READER_USER";
    public static final String MIGRATE = "NODEPULSE_MIGRATE";
    public static final String GROUP_ID = "NODEPULSE_SINK_GROUP_ID";
    public static final String BATCH_SIZE = "NODEPULSE_SINK_BATCH_SIZE";
    public static final String LINGER = "NODEPULSE_SINK_LINGER";
    public static final String BACKOFF_MIN = "NODEPULSE_SINK_RETRY_BACKOFF_MIN";
    public static final String BACKOFF_MAX = "NODEPULSE_SINK_RETRY_BACKOFF_MAX";
    public static final String STARTUP_TIMEOUT = "NODEPULSE_DB_STARTUP_TIMEOUT";
    public static final String SOCKET_TIMEOUT = "NODEPULSE_DB_SOCKET_TIMEOUT";
    public static final String REPAIR_SETTLE = "NODEPULSE_REPAIR_SETTLE";
    public static final String REPAIR_INTERVAL = "NODEPULSE_REPAIR_INTERVAL";
    public static final String RETENTION_ENABLED = "NODEPULSE_RETENTION_ENABLED";
    public static final String RETENTION_RAW = "NODEPULSE_RETENTION_RAW";
    public static final String RETENTION_1M = "NODEPULSE_RETENTION_1M";
    public static final String RETENTION_1H = "NODEPULSE_RETENTION_1H";
    public static final String RETENTION_INTERVAL = "NODEPULSE_RETENTION_INTERVAL";

    /** PostgreSQL truncates identifiers longer than this many bytes. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    public SinkConfig {
        kafka = Map.copyOf(kafka);
    }

    /**
     * Reads the sink's settings. Problems are recorded in {@code reader}; the caller throws them all at once
     * with {@link ConfigReader#throwIfProblems()}. KAFKA_* variables are picked up as they are; checking their
     * names is the processor configuration's job.
     */
    public static SinkConfig fromConfig(ConfigReader reader) {
        String url = reader.required(JDBC_URL, "the TimescaleDB JDBC URL, e.g. "
                + "jdbc:postgresql://timescaledb:5432/nodepulse");
        if (url != null && !url.startsWith("jdbc:postgresql://")) {
            reader.problem(JDBC_URL + "='" + url + "' must start with jdbc:postgresql://");
        }
        if (url != null && url.matches("(?i).*[?&]password=.*")) {
            reader.problem(JDBC_URL + " must not carry a password; use " + WRITER_PASSWORD + "_FILE and "
                    + OWNER_PASSWORD + "_FILE");
        }
        if (url != null && url.matches("(?i).*[?&]sslpassword=.*")) {
            reader.problem(JDBC_URL + " must not carry sslpassword (it would be printed and logged); mount the "
                    + "client key unencrypted from a Secret and name it with sslkey=");
        }
        String writerUser = role(reader, WRITER_USER, "nodepulse_writer");
        String writerPassword = reader.secret(WRITER_PASSWORD, null);
        if (writerPassword == null) {
            reader.problem(WRITER_PASSWORD + " (or " + WRITER_PASSWORD + "_FILE) is required: the password of "
                    + "the sink's database role " + writerUser);
        }
        String ownerUser = role(reader, OWNER_USER, "nodepulse_owner");
        String ownerPassword = reader.secret(OWNER_PASSWORD, null);
        String readerUser = role(reader, READER_USER, "nodepulse_reader");
        boolean migrate = reader.bool(MIGRATE, true);
        boolean retentionEnabled = reader.bool(RETENTION_ENABLED, true);
        if (ownerPassword == null && (migrate || retentionEnabled)) {
            reader.problem(OWNER_PASSWORD + " (or " + OWNER_PASSWORD + "_FILE) is required while "
                    + MIGRATE + " or " + RETENTION_ENABLED + " is true: migrations and retention run as "
                    + ownerUser);
        }
        if (writerUser != null && writerUser.equals(ownerUser)) {
            reader.problem(WRITER_USER + " and " + OWNER_USER + " are both " + writerUser
                    + ": the sink must not write as the schema owner; use a role without DDL rights");
        }
        if (readerUser != null && (readerUser.equals(writerUser) || readerUser.equals(ownerUser))) {
            reader.problem(READER_USER + "=" + readerUser + " must differ from the writer and owner roles");
        }
        String groupId = reader.string(GROUP_ID, "nodepulse-sink");
        int batchSize = reader.integer(BATCH_SIZE, 1000, 1, 100_000);
        Duration linger = reader.duration(LINGER, Duration.ofMillis(200), Duration.ZERO);
        Duration backoffMin = reader.duration(BACKOFF_MIN, Duration.ofMillis(200), Duration.ofMillis(10));
        Duration backoffMax = reader.duration(BACKOFF_MAX, Duration.ofSeconds(30), Duration.ofMillis(10));
        if (backoffMax.compareTo(backoffMin) < 0) {
            reader.problem(BACKOFF_MAX + " (" + backoffMax + ") must be at least " + BACKOFF_MIN + " ("
                    + backoffMin + ")");
        }
        Duration startupTimeout = reader.duration(STARTUP_TIMEOUT, null, Duration.ZERO);
        Duration socketTimeout = reader.duration(SOCKET_TIMEOUT, Duration.ofSeconds(60), Duration.ofSeconds(1));
        Duration repairSettle = reader.duration(REPAIR_SETTLE, Duration.ofSeconds(30), Duration.ZERO);
        Duration repairInterval = reader.duration(REPAIR_INTERVAL, Duration.ofSeconds(5), Duration.ofMillis(100));
        Duration raw = reader.duration(RETENTION_RAW, Duration.ofDays(7), Duration.ofHours(1));
        Duration minute = reader.duration(RETENTION_1M, Duration.ofDays(90), Duration.ofHours(1));
        Duration hour = reader.duration(RETENTION_1H, Duration.ofDays(730), Duration.ofHours(1));
        Duration retentionInterval = reader.duration(RETENTION_INTERVAL, Duration.ofHours(1), Duration.ofSeconds(1));
        if (raw != null && minute != null && hour != null && (raw.compareTo(minute) > 0 || minute.compareTo(hour) > 0)) {
            reader.problem(RETENTION_RAW + " (" + raw + ") <= " + RETENTION_1M + " (" + minute + ") <= " + RETENTION_1H
                    + " (" + hour + ") must hold: rollups are rebuilt from raw rows, so they must outlive them");
        }
        Map<String, Object> kafka = reader.kafka(name -> true, "Kafka client");
        return new SinkConfig(url, new DbLogin(writerUser, writerPassword), new DbLogin(ownerUser, ownerPassword),
                readerUser, migrate, groupId, batchSize, linger, backoffMin, backoffMax, startupTimeout,
                socketTimeout, repairSettle, repairInterval, retentionEnabled, raw, minute, hour, retentionInterval,
                kafka);
    }

    /** Reads and validates in one go: for tools and tests. */
    public static SinkConfig fromEnv(Map<String, String> env) {
        ConfigReader reader = ConfigReader.fromEnv(env);
        SinkConfig config = fromConfig(reader);
        reader.throwIfProblems();
        return config;
    }

    private static String role(ConfigReader reader, String name, String fallback) {
        String v = reader.string(name, fallback);
        if (v != null && v.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            reader.problem(name + "='" + v + "' is longer than PostgreSQL's " + MAX_IDENTIFIER_BYTES
                    + "-byte identifier limit");
        }
        return v;
    }

    /** Retention of a tier. */
    public Duration retention(Tables.Tier tier) {
        return switch (tier) {
            case RAW -> retentionRaw;
            case MINUTE -> retention1m;
            case HOUR -> retention1h;
        };
    }

    /** A copy with other Kafka client properties, e.g. the processor's validated map. */
    public SinkConfig withKafka(Map<String, Object> kafkaProperties) {
        return new SinkConfig(jdbcUrl, writer, owner, readerUser, migrate, groupId, batchSize, linger,
                retryBackoffMin, retryBackoffMax, startupTimeout, socketTimeout, repairSettle, repairInterval,
                retentionEnabled, retentionRaw, retention1m, retention1h, retentionInterval, kafkaProperties);
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>();
        kafka.forEach((k, v) -> shown.put(k, k.matches("(?i).*(password|secret|jaas|token|key).*") ? "****" : v));
        return "SinkConfig[jdbcUrl=" + jdbcUrl + ", writer=" + writer + ", owner=" + owner + ", reader=" + readerUser
                + ", migrate=" + migrate + ", groupId=" + groupId + ", batchSize=" + batchSize + ", linger="
                + linger + ", retryBackoff=" + retryBackoffMin + ".." + retryBackoffMax + ", repairSettle="
                + repairSettle + ", retention(raw/1m/1h)=" + retentionRaw + "/" + retention1m + "/" + retention1h
                + (retentionEnabled ? " every " + retentionInterval : " disabled") + ", kafka=" + shown + "]";
    }
}
