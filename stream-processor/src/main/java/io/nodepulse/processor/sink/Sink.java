package io.nodepulse.processor.sink;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.ops.Readiness;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the pipeline's topics into TimescaleDB exactly once, in two independent {@link Lane lanes}: raw events,
 * late events, liveness and alerts in one, Streams' rollups in the other, each a {@link SinkLane} with its own
 * consumer group, connection, writer thread and stored offsets, so a burst of rollups when windows close never
 * queues ahead of raw rows. Besides the lanes, one rollup repair task and (as the owner, when enabled) one
 * retention schedule. Refused credentials at start fail at once.
 */
public final class Sink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sink.class);

    private final List<SinkLane> lanes = new ArrayList<>();
    private final RepairTask repair;
    private final Retention retention;
    private final Thread repairThread;
    private final ScheduledExecutorService retentionScheduler;
    private volatile boolean closing;

    private Sink(SinkConfig config, Topics topics, WireSerdes serdes, MetricRegistry registry) {
        SinkMetrics metrics = new SinkMetrics(registry);
        for (Lane lane : Lane.values()) {
            lanes.add(new SinkLane(lane, config, topics, serdes, metrics));
        }
        this.repair = new RepairTask(config, this::caughtUp, metrics);
        this.retention = config.retentionEnabled() ? new Retention(config, metrics) : null;
        this.repairThread = new Thread(repair, "nodepulse-sink-repair");
        this.retentionScheduler = retention == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nodepulse-retention");
            t.setDaemon(true);
            return t;
        });
        registry.gauge("nodepulse_sink_up", "1 while every lane's loop of the sink runs.", () -> running() ? 1 : 0);
    }

    /**
     * Starts the sink: its lanes, the rollup repair task and the retention schedule (as the owner, when
     * enabled). Run {@code Migrator.migrate} first.
     *
     * @throws DatabaseUnavailableException when the database refuses the writer's credentials
     */
    public static Sink start(SinkConfig config, Topics topics, WireSerdes serdes, MetricRegistry registry) {
        checkCredentials(config);
        Sink sink = new Sink(config, topics, serdes, registry);
        sink.lanes.forEach(SinkLane::start);
        sink.repairThread.start();
        if (sink.retentionScheduler != null) {
            long every = config.retentionInterval().toMillis();
            sink.retentionScheduler.scheduleWithFixedDelay(sink.retention, Math.min(every, 10_000), every,
                    TimeUnit.MILLISECONDS);
        }
        log.info("sink started: {}", config);
        return sink;
    }

    /** Fails fast on refused credentials; an unreachable database is waited for by the lanes instead. */
    private static void checkCredentials(SinkConfig config) {
        try (Connection c = Database.connect(config.jdbcUrl(), config.writer(), "nodepulse-sink",
                config.socketTimeout())) {
            c.isValid(5);
        } catch (SQLException e) {
            SqlErrors.Kind kind = SqlErrors.classify(e);
            if (kind == SqlErrors.Kind.AUTH) {
                throw new DatabaseUnavailableException("the database at " + config.jdbcUrl() + " refused the sink's "
                        + "role " + config.writer().user() + " (" + SqlErrors.describe(e) + "); check "
                        + SinkConfig.WRITER_USER + " and " + SinkConfig.WRITER_PASSWORD + "_FILE", e);
            }
            if (kind != SqlErrors.Kind.RETRIABLE) {
                throw new DatabaseUnavailableException("the sink cannot use the database at " + config.jdbcUrl()
                        + ": " + SqlErrors.describe(e), e);
            }
            log.warn("database at {} is unreachable at start ({}); the sink will keep retrying", config.jdbcUrl(),
                    SqlErrors.describe(e));
        }
    }

    /**
     * True when every lane has no known backlog: the repair task waits for raw rows still in flight, and for
     * Streams' rollup rows, so that its upserts come after them.
     */
    boolean caughtUp() {
        return lanes.stream().allMatch(SinkLane::caughtUp);
    }

    /** Ready while every lane runs and its last database interaction succeeded; a detail line per lane. */
    public Readiness readiness() {
        List<String> detail = new ArrayList<>();
        boolean ready = true;
        for (SinkLane lane : lanes) {
            Readiness r = lane.readiness();
            ready &= r.ready();
            detail.addAll(r.detail());
        }
        String rp = repair.problem();
        if (rp != null) {
            detail.add("sink: " + rp);
        }
        if (retention != null && retention.problem() != null) {
            detail.add("sink: " + retention.problem());
        }
        return new Readiness(ready, List.copyOf(detail));
    }

    /** False once a lane's loop has stopped, by close or by an unexpected error. */
    public boolean running() {
        return lanes.stream().allMatch(SinkLane::running);
    }

    /** Why a lane's loop stopped on its own (an unexpected error), or null while every lane runs or closes. */
    public String failure() {
        for (SinkLane lane : lanes) {
            String f = lane.failure();
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** {@link #close(Duration)} with 30 s. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops consuming, commits each lane's buffered batch if the database takes it in time, and closes
     * everything, waiting at most {@code timeout} in all. A lane still writing then is left to the database,
     * which rolls its transaction back when the process exits; its records are read again on the next start.
     */
    public void close(Duration timeout) {
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        repair.close();
        repairThread.interrupt();
        if (retentionScheduler != null) {
            retentionScheduler.shutdownNow();
        }
        lanes.forEach(SinkLane::stop);
        try {
            for (SinkLane lane : lanes) {
                lane.awaitStop(left(deadline));
            }
            repairThread.join(Math.max(1, left(deadline).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> open = lanes.stream().filter(SinkLane::running).map(SinkLane::toString).toList();
        if (!open.isEmpty()) {
            log.warn("sink: {} still writing after {}; their uncommitted batches are read again on the next start",
                    open, timeout);
        }
        log.info("sink closed after {} batches", lanes.stream().mapToLong(SinkLane::committedBatches).sum());
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
