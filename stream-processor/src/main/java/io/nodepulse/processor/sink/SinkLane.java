package io.nodepulse.processor.sink;

import io.nodepulse.ops.Readiness;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireFormatException;
import io.nodepulse.wire.WireSerdes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane of the {@link Sink}: its own consumer (read_committed, no Kafka auto-commit) of the lane's topics in
 * the lane's group, its own connection and writer thread. Every batch is written with binary COPY in one
 * transaction together with the consumer offsets it covers, keyed by the lane's group; on every assignment the
 * consumer seeks to the offsets stored in the database. A crash at any point therefore replays exactly the
 * records whose transaction did not commit.
 *
 * <p>When the database is unavailable the consumer is paused (it keeps polling, so it stays in the group), the
 * batch is retried with exponential backoff, and every retry is logged with what it retries. A record the
 * database refuses for its data (22xxx, 23xxx, 54xxx) is isolated by bisecting the batch and sent to the DLQ
 * with the reason; the rest flows.
 */
final class SinkLane {
    private static final Logger log = LoggerFactory.getLogger(SinkLane.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);

    private final Lane lane;
    private final String name;
    private final String groupId;
    private final SinkConfig config;
    private final SinkMetrics metrics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Dlq dlq;
    private final Map<String, Source> sources = new HashMap<>();
    private final Map<Source, String> topicNames = new EnumMap<>(Source.class);
    private final Map<Source, Deserializer<?>> decoders = new EnumMap<>(Source.class);
    private final BatchEncoder encoder;
    private final BatchWriter writer;
    private final Thread loop;
    private final ExecutorService dbWriter;

    // loop-thread state
    private final List<SinkRecord> buffer = new ArrayList<>();
    private long bufferSince;
    private final Set<TopicPartition> pendingSeek = new HashSet<>();
    private final Map<TopicPartition, Long> stored = new HashMap<>();
    private final Set<String> dlqSent = new HashSet<>();
    private Connection connection;
    private InFlight inFlight;
    private volatile boolean paused;
    /** A batch was left unstored when the lane began to close: nothing read after it may be stored. */
    private boolean abandoned;
    /** Set by the first assignment (even an empty one): until then the lag is unknown. */
    private boolean joined;
    private long nextSeekAttempt;
    private final Backoff seekBackoff;

    // shared with readiness and the repair task
    private volatile boolean closing;
    private volatile boolean running;
    private volatile String problem = "starting";
    private volatile long lastCommitMillis;
    private volatile long committedBatches;
    private volatile long totalLag = -1;
    private volatile Throwable died;

    SinkLane(Lane lane, SinkConfig config, Topics topics, WireSerdes serdes, SinkMetrics metrics) {
        this.lane = lane;
        this.name = "sink " + lane.label();
        this.groupId = lane.groupId(config.groupId());
        this.config = config;
        this.metrics = metrics;
        for (Source s : lane.sources()) {
            sources.put(s.topic(topics), s);
            topicNames.put(s, s.topic(topics));
            decoders.put(s, decoder(s, serdes));
        }
        this.encoder = new BatchEncoder(field -> metrics.unknownFields.inc(field));
        this.writer = new BatchWriter(groupId, config.repairSettle());
        this.seekBackoff = new Backoff(config.retryBackoffMin(), config.retryBackoffMax());

        Map<String, Object> props = KafkaProps.consumer(config.kafka());
        if (!props.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("no Kafka bootstrap servers for the sink: set KAFKA_BOOTSTRAP_SERVERS");
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        Object clientId = props.get(ConsumerConfig.CLIENT_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId == null ? groupId : clientId + "-" + lane.label());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // never skip records silently: a position the log no longer has is reported (see poll)
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchSize());
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.dlq = new Dlq(config.kafka(), topics.dlq().name(), groupId, Duration.ofSeconds(30));

        String thread = "nodepulse-sink-" + lane.label();
        this.loop = new Thread(this::run, thread);
        this.dbWriter = Executors.newSingleThreadExecutor(r -> new Thread(r, thread + "-writer"));
    }

    private static Deserializer<?> decoder(Source source, WireSerdes serdes) {
        return switch (source) {
            case METRICS, LATE -> serdes.nodeMetrics();
            case ROLLUP_1M, ROLLUP_1H -> serdes.nodeRollup();
            case STATUS -> serdes.nodeStatus();
            case ALERTS -> serdes.alert();
        };
    }

    void start() {
        running = true;
        loop.start();
    }

    // --- the loop ----------------------------------------------------------------------------------------

    private void run() {
        try {
            consumer.subscribe(sources.keySet(), new Rebalance());
            while (!closing) {
                if (!pendingSeek.isEmpty() && System.currentTimeMillis() >= nextSeekAttempt) {
                    awaitInFlight();
                    resolveSeeks();
                }
                Duration timeout = buffer.isEmpty() ? IDLE_POLL
                        : Duration.ofMillis(Math.max(0, bufferSince + config.linger().toMillis()
                        - System.currentTimeMillis()));
                for (ConsumerRecord<byte[], byte[]> r : poll(timeout)) {
                    if (buffer.isEmpty()) {
                        bufferSince = System.currentTimeMillis();
                    }
                    buffer.add(decode(r));
                }
                updateLag();
                if (!buffer.isEmpty() && (buffer.size() >= config.batchSize()
                        || System.currentTimeMillis() - bufferSince >= config.linger().toMillis())) {
                    List<SinkRecord> batch = new ArrayList<>(buffer);
                    buffer.clear();
                    pipeline(batch);
                } else if (inFlight != null && inFlight.outcome().isDone()) {
                    awaitInFlight();
                }
                metrics.buffered.set(buffer.size(), lane.label());
            }
        } catch (WakeupException e) {
            if (!closing) {
                died = e;
                log.error("{} consumer woken up unexpectedly", name, e);
            }
        } catch (RuntimeException | Error e) {
            died = e;
            problem = "loop stopped: " + e;
            log.error("{} loop stopped", name, e);
        } finally {
            shutdown();
        }
    }

    /**
     * Polls, positioning partitions the consumer has no position for at the start of their log (a provisional
     * place for paused partitions, which are seeked to their stored offsets before they resume), and reporting
     * positions the log no longer has.
     */
    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (NoOffsetForPartitionException e) {
            consumer.seekToBeginning(e.partitions());
        } catch (OffsetOutOfRangeException e) {
            outOfRange(e.offsetOutOfRangePartitions());
        }
        return ConsumerRecords.empty();
    }

    /**
     * Stored offsets that the log no longer has. Below its start, the topic's retention deleted records before
     * they were stored: they are lost, which is logged and counted, and reading goes on from the start of the
     * log. Past its end, the topic was deleted and created again (or truncated): it is read from its start.
     */
    private void outOfRange(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, Long> start;
        try {
            start = consumer.beginningOffsets(positions.keySet(), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            log.warn("{}: positions {} are out of range and the start of those logs cannot be read ({}); trying "
                    + "again", name, positions, e.toString());
            return;
        }
        positions.forEach((tp, at) -> {
            long first = start.getOrDefault(tp, 0L);
            if (at < first) {
                metrics.deletedUnstored.add(first - at, tp.topic());
                log.error("{}: offsets {} to {} of {} were deleted by the topic's retention before they were "
                        + "stored: those records are lost to the database. Keep the topic's retention.ms above "
                        + "the longest database outage the sink must ride out. Reading on from offset {}", name, at,
                        first - 1, tp, first);
            } else {
                log.error("{}: offset {} of {} is past the end of its log: the topic was deleted and created again, "
                        + "or truncated. Reading it again from offset {}; rows already stored are skipped", name,
                        at, tp, first);
            }
            consumer.seek(tp, first);
        });
    }

    private void shutdown() {
        try {
            if (died == null) {
                finishInFlightOnClose();
            }
            if (!buffer.isEmpty() && died == null && !paused && !abandoned) {
                List<SinkRecord> batch = retainAssigned(new ArrayList<>(buffer));
                buffer.clear();
                if (!batch.isEmpty()) {
                    try {
                        commitOnce(batch);
                        log.info("{} flushed {} buffered records on close", name, batch.size());
                    } catch (Exception e) {
                        log.info("{} left {} buffered records uncommitted on close ({}); they are read again on "
                                + "the next start", name, batch.size(), e.toString());
                    }
                }
            }
        } finally {
            running = false;
            dbWriter.shutdownNow();
            Database.closeQuietly(connection);
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                log.debug("consumer close: {}", e.toString());
            }
            dlq.close();
        }
    }

    private SinkRecord decode(ConsumerRecord<byte[], byte[]> r) {
        Source source = sources.get(r.topic());
        if (r.value() == null) {
            return new SinkRecord(source, r, null, null);
        }
        try {
            return new SinkRecord(source, r, decoders.get(source).deserialize(r.topic(), r.value()), null);
        } catch (WireFormatException e) {
            return new SinkRecord(source, r, null, null).refused("sink-undecodable", e.getMessage(), null);
        } catch (RuntimeException e) {
            return new SinkRecord(source, r, null, null).refused("sink-undecodable", "MALFORMED: " + e, null);
        }
    }

    // --- writing -----------------------------------------------------------------------------------------

    /**
     * Hands a batch to the writer thread and returns, so the next batch is polled, decoded and encoded while the
     * database works on this one (on two cores the encoder and PostgreSQL then run side by side). The previous
     * batch's outcome is taken first; a failed batch goes through {@link #flush} on this thread, where retries,
     * bisecting and the DLQ live.
     */
    private void pipeline(List<SinkRecord> records) {
        awaitInFlight();
        if (abandoned) {
            return;
        }
        List<SinkRecord> batch = retainAssigned(records);
        if (batch.isEmpty()) {
            return;
        }
        EncodedBatch enc = encoder.encode(batch, false);
        if (!enc.rejected.isEmpty()) {
            flush(batch);
            return;
        }
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            flush(batch);
            return;
        }
        Map<TopicPartition, Long> expected = new HashMap<>();
        for (TopicPartition tp : enc.nextOffsets.keySet()) {
            Long o = stored.get(tp);
            if (o != null) {
                expected.put(tp, o);
            }
        }
        inFlight = new InFlight(batch, enc, dbWriter.submit(() -> writer.write(c, enc, expected)));
    }

    /** Takes the outcome of the batch in flight, if any; a failure is handled by {@link #flush}. */
    private void awaitInFlight() {
        if (inFlight == null) {
            return;
        }
        Failed failed = settleInFlight();
        if (failed == null) {
            resumeIfPaused();
        } else {
            log.debug("batch of {} records failed in the writer ({}); retrying it here", failed.batch().size(),
                    failed.cause().toString());
            flush(failed.batch());
        }
    }

    /**
     * In a rebalance callback (no polling allowed) or on close: takes the outcome of the batch in flight; if it
     * failed, nothing of it was stored, and its partitions that stay assigned are read again from the stored
     * offsets.
     */
    private void finishInFlightOnClose() {
        Failed failed = settleInFlight();
        if (failed == null) {
            return;
        }
        closeConnection();
        Set<TopicPartition> again = new HashSet<>();
        failed.batch().forEach(r -> again.add(r.partition()));
        again.retainAll(consumer.assignment());
        for (TopicPartition tp : again) {
            stored.remove(tp);
            pendingSeek.add(tp);
        }
        consumer.pause(again);
        buffer.removeIf(r -> again.contains(r.partition()));
        log.info("{}: batch of {} records failed in the writer ({}); {} will be read again from the stored "
                + "offsets", name, failed.batch().size(), failed.cause().toString(), again);
    }

    /** A batch the writer could not commit (its transaction was rolled back), and why. */
    private record Failed(List<SinkRecord> batch, Throwable cause) {
    }

    /**
     * Waits for the batch in flight, if any, and records it when it committed; returns it when it failed, after
     * rolling back the connection.
     */
    private Failed settleInFlight() {
        InFlight taken = inFlight;
        if (taken == null) {
            return null;
        }
        inFlight = null;
        try {
            committed(taken.encoded(), waitFor(taken.outcome()));
            return null;
        } catch (ExecutionException e) {
            Database.rollbackQuietly(connection);
            return new Failed(taken.batch(), e.getCause());
        }
    }

    private static BatchWriter.Outcome waitFor(Future<BatchWriter.Outcome> f) throws ExecutionException {
        while (true) {
            try {
                return f.get();
            } catch (InterruptedException e) {
                // the writer finishes its transaction either way; wait for the outcome
                Thread.interrupted();
            }
        }
    }

    /**
     * Writes a batch, retrying until it is stored or the sink closes. A batch left unstored on close marks the
     * lane {@link #abandoned}: a later batch of the same partitions would otherwise move the stored offsets past
     * it, so nothing more is written and the next start reads it again.
     */
    private void flush(List<SinkRecord> batch) {
        int[] dataBudget = {Math.max(10, batch.size() / 2)};
        if (!write(batch, false, dataBudget)) {
            abandoned = true;
            log.info("{} closing with a batch of {} records not stored ({}); it is read again on the next start",
                    name, batch.size(), describe(batch));
        }
    }

    /** True once the records are stored (or none of them is this lane's any more), false when closing first. */
    private boolean write(List<SinkRecord> records, boolean stageAll, int[] dataBudget) {
        List<SinkRecord> batch = records;
        Backoff backoff = new Backoff(config.retryBackoffMin(), config.retryBackoffMax());
        boolean staged = stageAll;
        while (!closing) {
            batch = retainAssigned(batch);
            if (batch.isEmpty()) {
                // a rebalance while waiting to retry took the partitions: they are no longer held back
                resumeIfPaused();
                return true;
            }
            try {
                commitOnce(batch, staged);
                if (backoff.attempt() > 0) {
                    log.info("batch of {} records stored after {} retries; resuming", batch.size(), backoff.attempt());
                }
                resumeIfPaused();
                return true;
            } catch (SQLException e) {
                Database.rollbackQuietly(connection);
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (kind == SqlErrors.Kind.UNIQUE_VIOLATION && !staged) {
                    staged = true;
                    metrics.fallbacks.inc();
                    log.info("batch of {} records hit an existing row ({}); writing it through staging tables with "
                            + "ON CONFLICT DO NOTHING", batch.size(), SqlErrors.describe(e));
                    continue;
                }
                if (kind == SqlErrors.Kind.DATA || kind == SqlErrors.Kind.UNIQUE_VIOLATION) {
                    if (dataBudget[0] <= 0) {
                        problem = "too many records refused for their data (" + SqlErrors.describe(e) + "): this "
                                + "looks like a schema or code problem, not bad records; retrying instead of "
                                + "sending more to the DLQ";
                        waitBeforeRetry(batch, e.getSQLState(), problem, backoff);
                        closeConnection();
                        continue;
                    }
                    if (batch.size() == 1) {
                        dataBudget[0]--;
                        SinkRecord bad = batch.get(0);
                        log.warn("record {} refused by the database ({}); sending it to the DLQ", bad,
                                SqlErrors.describe(e));
                        batch = List.of(bad.refused("sink-data-error", SqlErrors.describe(e), e.getSQLState()));
                        continue;
                    }
                    int half = batch.size() / 2;
                    log.info("batch of {} records refused ({}); bisecting to find the bad record", batch.size(),
                            SqlErrors.describe(e));
                    return write(batch.subList(0, half), staged, dataBudget)
                            && write(batch.subList(half, batch.size()), staged, dataBudget);
                }
                closeConnection();
                String what = switch (kind) {
                    case AUTH -> "the database refused the writer's credentials (" + SqlErrors.describe(e) + "); check "
                            + SinkConfig.WRITER_PASSWORD + "_FILE";
                    case BROKEN -> "the database refused the batch (" + SqlErrors.describe(e) + "); this needs an "
                            + "operator: check the migrations ran and the writer's grants";
                    default -> "database unavailable (" + SqlErrors.describe(e) + ")";
                };
                waitBeforeRetry(batch, e.getSQLState(), what, backoff);
            } catch (BatchWriter.FencedException e) {
                Database.rollbackQuietly(connection);
                metrics.fenced.inc();
                writer.forgetInventory();
                log.warn("{}: another consumer of group {} wrote them; dropping this batch's records of those "
                        + "partitions and re-reading from the stored offsets", e.getMessage(), groupId);
                for (TopicPartition tp : e.partitions) {
                    stored.remove(tp);
                    pendingSeek.add(tp);
                    consumer.pause(List.of(tp));
                }
                buffer.removeIf(r -> e.partitions.contains(r.partition()));
            } catch (Dlq.DlqException e) {
                Database.rollbackQuietly(connection);
                waitBeforeRetry(batch, "dlq", "cannot reach the DLQ topic (" + e.getMessage() + ")", backoff);
            }
        }
        return false;
    }

    private void commitOnce(List<SinkRecord> batch) throws SQLException, BatchWriter.FencedException,
            Dlq.DlqException {
        commitOnce(batch, false);
    }

    /** One attempt: DLQ what cannot be stored, then one transaction for rows and offsets. */
    private void commitOnce(List<SinkRecord> batch, boolean stageAll) throws SQLException,
            BatchWriter.FencedException, Dlq.DlqException {
        EncodedBatch enc = encoder.encode(batch, stageAll);
        for (EncodedBatch.Rejected r : enc.rejected) {
            String id = r.record().toString();
            if (!dlqSent.contains(id)) {
                dlq.send(r.record(), r.reason(), r.detail(), r.sqlState());
                dlqSent.add(id);
                metrics.dlq.inc(r.reason());
                log.warn("sent {} to the DLQ: {} ({})", r.record(), r.reason(), r.detail());
            }
        }
        Connection c = connection();
        committed(enc, writer.write(c, enc, stored));
    }

    /** Bookkeeping after a batch committed. */
    private void committed(EncodedBatch enc, BatchWriter.Outcome out) {
        stored.putAll(enc.nextOffsets);
        for (EncodedBatch.Rejected r : enc.rejected) {
            dlqSent.remove(r.record().toString());
        }
        out.rows().forEach((table, n) -> metrics.rows.add(n, table));
        enc.records.forEach((source, n) -> metrics.records.add(n, topicNames.get(source)));
        metrics.duplicates.add(out.duplicates());
        metrics.repairsQueued.add(out.repairsQueued());
        metrics.batches.inc();
        committedBatches++;
        lastCommitMillis = System.currentTimeMillis();
        metrics.lastCommit.set(lastCommitMillis / 1000.0, lane.label());
        problem = null;
        mirrorOffsets(enc.nextOffsets);
    }

    /** Copies committed offsets to Kafka, for lag tools only: the sink itself always seeks to the database's. */
    private void mirrorOffsets(Map<TopicPartition, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> assigned = consumer.assignment();
        next.forEach((tp, o) -> {
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(o));
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    log.debug("mirroring offsets to Kafka failed: {}", e.toString());
                }
            });
        }
    }

    private void waitBeforeRetry(List<SinkRecord> batch, String cause, String what, Backoff backoff) {
        Duration wait = backoff.next();
        problem = what;
        metrics.retries.inc(cause == null ? "unknown" : cause);
        log.warn("{} retrying batch of {} records ({}) after {}: attempt {}, next try in {} ms", name,
                batch.size(), describe(batch), what, backoff.attempt(), wait.toMillis());
        if (!paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        }
        long until = System.currentTimeMillis() + wait.toMillis();
        while (!closing) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            // a paused consumer returns nothing but keeps its group membership; rebalances run here
            poll(Duration.ofMillis(Math.min(left, 1000)));
        }
    }

    private void resumeIfPaused() {
        if (paused) {
            Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
            resume.removeAll(pendingSeek);
            consumer.resume(resume);
            paused = false;
        }
    }

    private static String describe(List<SinkRecord> batch) {
        Map<String, long[]> ranges = new TreeMap<>();
        for (SinkRecord r : batch) {
            ranges.compute(r.raw().topic() + "-" + r.raw().partition(), (k, v) -> v == null
                    ? new long[] {r.offset(), r.offset()} : new long[] {Math.min(v[0], r.offset()),
                    Math.max(v[1], r.offset())});
        }
        return ranges.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()[0] + ".." + e.getValue()[1])
                .collect(Collectors.joining(", "));
    }

    private List<SinkRecord> retainAssigned(List<SinkRecord> batch) {
        Set<TopicPartition> assigned = consumer.assignment();
        if (batch.stream().allMatch(r -> assigned.contains(r.partition()) && !pendingSeek.contains(r.partition()))) {
            return batch;
        }
        List<SinkRecord> kept = batch.stream()
                .filter(r -> assigned.contains(r.partition()) && !pendingSeek.contains(r.partition())).toList();
        log.info("{} dropped {} records of partitions no longer owned by it; their new owner reads them", name,
                batch.size() - kept.size());
        return kept;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = Database.connect(config.jdbcUrl(), config.writer(), "nodepulse-sink-" + lane.label(),
                    config.socketTimeout());
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void closeConnection() {
        Database.closeQuietly(connection);
        connection = null;
    }

    // --- offsets and rebalances ----------------------------------------------------------------------------

    private void resolveSeeks() {
        try {
            Connection c = connection();
            Map<TopicPartition, Long> offsets = BatchWriter.storedOffsets(c, groupId, pendingSeek);
            Map<TopicPartition, Long> inherited = inheritedOffsets(c, offsets.keySet());
            c.commit();
            Set<TopicPartition> assigned = consumer.assignment();
            List<TopicPartition> fromStart = new ArrayList<>();
            for (TopicPartition tp : pendingSeek) {
                if (!assigned.contains(tp)) {
                    continue;
                }
                Long o = offsets.get(tp);
                if (o != null) {
                    stored.put(tp, o);
                    consumer.seek(tp, o);
                } else if (inherited.containsKey(tp)) {
                    // no row of this lane's group yet: its first commit inserts one
                    stored.remove(tp);
                    consumer.seek(tp, inherited.get(tp));
                } else {
                    stored.remove(tp);
                    fromStart.add(tp);
                }
            }
            if (!fromStart.isEmpty()) {
                consumer.seekToBeginning(fromStart);
            }
            log.info("{} positioned {} partitions from stored offsets {} (from the beginning: {})",
                    name, pendingSeek.size(), offsets, fromStart);
            if (!inherited.isEmpty()) {
                log.info("{} has no stored offsets of its own for {}: it resumes where group {} stopped", name,
                        inherited, config.groupId());
            }
            Set<TopicPartition> ready = new HashSet<>(pendingSeek);
            ready.retainAll(assigned);
            pendingSeek.clear();
            if (!paused) {
                consumer.resume(ready);
            }
            seekBackoff.reset();
            String p = problem;
            if (p != null && (p.startsWith("reading stored offsets") || p.equals("starting"))) {
                problem = null;
            }
        } catch (SQLException e) {
            Database.rollbackQuietly(connection);
            closeConnection();
            Duration wait = seekBackoff.next();
            nextSeekAttempt = System.currentTimeMillis() + wait.toMillis();
            problem = "reading stored offsets failed (" + SqlErrors.describe(e) + ")";
            metrics.retries.inc(e.getSQLState() == null ? "unknown" : e.getSQLState());
            log.warn("{} cannot read the stored offsets of {} ({}); attempt {}, retrying in {} ms; those "
                    + "partitions stay paused", name, pendingSeek, SqlErrors.describe(e), seekBackoff.attempt(),
                    wait.toMillis());
        }
    }

    /**
     * For a lane with a group of its own: the offsets the single-consumer sink stored under the base group for
     * pending partitions this lane has no row for yet, so an upgrade resumes where that sink stopped instead of
     * reading the lane's topics from the beginning.
     */
    private Map<TopicPartition, Long> inheritedOffsets(Connection c, Set<TopicPartition> own) throws SQLException {
        Set<TopicPartition> missing = new HashSet<>(pendingSeek);
        missing.removeAll(own);
        if (groupId.equals(config.groupId()) || missing.isEmpty()) {
            return Map.of();
        }
        return BatchWriter.storedOffsets(c, config.groupId(), missing);
    }

    /** The batch the writer thread is storing, its encoding, and the outcome to come. */
    private record InFlight(List<SinkRecord> batch, EncodedBatch encoded, Future<BatchWriter.Outcome> outcome) {
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            if (partitions.isEmpty()) {
                // a member of the group with nothing to do (more sinks than partitions) is ready
                if ("starting".equals(problem)) {
                    problem = null;
                }
                return;
            }
            consumer.pause(partitions);
            pendingSeek.addAll(partitions);
            nextSeekAttempt = 0;
            log.info("{} assigned {}", name, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            finishInFlightOnClose();
            if (partitions.isEmpty()) {
                return;
            }
            forget(partitions);
            log.info("{} revoked {}", name, partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            finishInFlightOnClose();
            forget(partitions);
            log.warn("{} lost {}", name, partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            writer.forgetInventory();
            buffer.removeIf(r -> partitions.contains(r.partition()));
            pendingSeek.removeAll(partitions);
            partitions.forEach(stored::remove);
        }
    }

    private void updateLag() {
        Map<String, Long> byTopic = new LinkedHashMap<>();
        long total = 0;
        boolean known = true;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) {
                byTopic.merge(tp.topic(), l.getAsLong(), Long::sum);
                total += l.getAsLong();
            } else {
                known = false;
            }
        }
        byTopic.forEach((t, l) -> metrics.lag.set(l, t));
        totalLag = joined && known && pendingSeek.isEmpty() ? total + buffer.size() : -1;
    }

    /** True when this lane has no known backlog: the repair task waits for it. */
    boolean caughtUp() {
        long lag = totalLag;
        return running && !paused && lag >= 0 && lag <= config.batchSize();
    }

    // --- status --------------------------------------------------------------------------------------------

    /** Ready while the loop runs and its last database interaction succeeded; one detail line. */
    Readiness readiness() {
        String p = problem;
        Throwable d = died;
        String detail;
        if (d != null) {
            detail = "stopped (" + d + ")";
        } else if (!running) {
            detail = "not running";
        } else if (p != null) {
            detail = p;
        } else {
            long ago = lastCommitMillis == 0 ? -1 : (System.currentTimeMillis() - lastCommitMillis) / 1000;
            long lag = totalLag;
            detail = "ok, " + committedBatches + " batches committed" + (ago >= 0 ? ", last " + ago + " s ago" : "")
                    + (lag >= 0 ? ", lag " + lag : "");
        }
        return Readiness.of(running && d == null && p == null, name + ": " + detail);
    }

    /** False once the loop has stopped, by close or by an unexpected error. */
    boolean running() {
        return running;
    }

    long committedBatches() {
        return committedBatches;
    }

    /** Asks the loop to stop; {@link #awaitStop} waits for it to commit what it can and close. */
    void stop() {
        closing = true;
        consumer.wakeup();
    }

    void awaitStop(Duration timeout) throws InterruptedException {
        loop.join(Math.max(1, timeout.toMillis()));
    }

    /** Why the loop stopped on its own, or null. */
    String failure() {
        Throwable d = died;
        return d == null ? null : name + " stopped: " + d;
    }

    @Override
    public String toString() {
        return name;
    }
}
