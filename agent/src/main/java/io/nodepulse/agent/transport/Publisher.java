package io.nodepulse.agent.transport;

import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the producer from the spool's head, one window at a time, on its own thread. The spool, not the
 * producer, is the source of truth:
 * <ul>
 *   <li>The writer schema is registered before the first event is sent.</li>
 *   <li>A window is a run of records small enough to travel in one producer batch (it is appended at once and
 *       flushed; linger.ms is long, so the batch is not sent half-filled). The next window is handed over only
 *       once every record of the previous one is acknowledged, and a window stops at a record that fails at
 *       once, so a failed record is never overtaken by a later one.</li>
 *   <li>Acknowledged records are released; on a failure the spool is rewound to the first record not
 *       acknowledged, and from there everything is sent again, in order (counted as re-sent).</li>
 *   <li>A record Kafka refuses for good (too large, invalid) is released and counted as dropped, so it cannot
 *       block the records behind it.</li>
 *   <li>Exceptions are retried with a growing pause; an {@link Error}, thrown or as a cause, stops the sender for
 *       good (see {@link #stop}).</li>
 * </ul>
 */
public final class Publisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Publisher.class);

    /**
     * @param topic         the metrics topic
     * @param windowRecords most records in one window
     * @param windowBytes   most spooled bytes in one window (half the producer's batch.size)
     * @param poll          longest wait for new records
     * @param maxBackoff    longest pause between attempts after repeated failures
     */
    public record Settings(String topic, int windowRecords, long windowBytes, Duration poll, Duration maxBackoff) {
    }

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Consumer<Producer<byte[], byte[]>> registerSchema;
    private final Spool spool;
    private final PublisherMetrics metrics;
    private final SpoolMetrics spoolMetrics;
    private final Settings settings;
    private final Thread thread;
    private final Object pause = new Object();

    private final Consumer<Throwable> onStopped;

    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean stopping; // close() was called
    private volatile boolean stopped; // for good, after an Error
    private volatile boolean draining;
    private volatile boolean registered;
    private volatile long lastAckMillis;
    private volatile String failure;
    private volatile long failingSinceMillis;
    private long maxHandedOut;
    private int failures;

    /**
     * @param producers      builds a producer (again after a fatal producer error)
     * @param registerSchema registers the writer schema through the given producer; throws when it cannot
     */
    public Publisher(Supplier<Producer<byte[], byte[]>> producers, Consumer<Producer<byte[], byte[]>> registerSchema,
                     Spool spool, PublisherMetrics metrics, SpoolMetrics spoolMetrics, Settings settings) {
        this(producers, registerSchema, spool, metrics, spoolMetrics, settings, e -> { });
    }

    /**
     * @param onStopped called on the sender thread when it stops for good: an {@link Error}, thrown or as the
     *                  cause of an exception (a class or native library that cannot be loaded), is not retried
     */
    public Publisher(Supplier<Producer<byte[], byte[]>> producers, Consumer<Producer<byte[], byte[]>> registerSchema,
                     Spool spool, PublisherMetrics metrics, SpoolMetrics spoolMetrics, Settings settings,
                     Consumer<Throwable> onStopped) {
        this.producers = producers;
        this.registerSchema = registerSchema;
        this.spool = spool;
        this.metrics = metrics;
        this.spoolMetrics = spoolMetrics;
        this.settings = settings;
        this.onStopped = onStopped;
        this.thread = new Thread(this::run, "spool-sender");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public PublisherStatus status() {
        return new PublisherStatus(registered, lastAckMillis, failure, failingSinceMillis, stopped);
    }

    private void run() {
        try {
            send();
        } catch (Error e) {
            stop(e, step());
        }
    }

    private void send() {
        long resumeAt = 0;
        while (!stopping && !stopped) {
            try {
                long now = System.currentTimeMillis();
                if (draining && resumeAt - now > 500) {
                    resumeAt = now + 500;
                }
                long wait = resumeAt - now;
                if (wait > 0) {
                    pause(Math.min(wait, settings.poll().toMillis()));
                    continue;
                }
                if (producer == null) {
                    producer = producers.get();
                }
                if (!registered) {
                    registerSchema.accept(producer);
                    registered = true;
                }
                List<SpoolRecord> window = spool.next(settings.windowRecords(), settings.windowBytes());
                if (window.isEmpty()) {
                    spool.awaitUnsent(settings.poll());
                    continue;
                }
                if (sendWindow(window)) {
                    failures = 0;
                } else {
                    resumeAt = System.currentTimeMillis() + backoff(++failures);
                }
            } catch (InterruptException | InterruptedException e) {
                if (stopping) {
                    break;
                }
                Thread.interrupted();
            } catch (IOException e) {
                log.error("cannot read the spool: {}; retrying", e.toString());
                resumeAt = System.currentTimeMillis() + backoff(++failures);
            } catch (RuntimeException e) {
                if (stopping) {
                    break;
                }
                if (errorIn(e) != null) {
                    stop(e, step());
                    break;
                }
                noteFailure(e, step());
                if (needsNewProducer(e)) {
                    replaceProducer();
                }
                resumeAt = System.currentTimeMillis() + backoff(++failures);
            }
        }
    }

    /** What the sender was doing when a failure came out of its loop, for the log. */
    private String step() {
        if (producer == null) {
            return "building the producer from the KAFKA_* settings";
        }
        return registered ? "sending events"
                : "registering the writer schema in the schemas topic, which comes before the first event";
    }

    /** Sends one window and waits for its outcome. Returns false when something must be sent again. */
    private boolean sendWindow(List<SpoolRecord> window) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(window.size());
        Throwable error = null;
        for (SpoolRecord r : window) {
            try {
                Future<RecordMetadata> f = producer.send(new ProducerRecord<>(settings.topic(), null, r.event().key(),
                        r.event().value()));
                futures.add(f);
                if (f.isDone() || futures.get(0).isDone()) {
                    // Failed at once (no metadata or no buffer within max.block.ms), or the window's batch
                    // completed early: hand over nothing after it, so no later event can overtake it.
                    break;
                }
            } catch (InterruptException e) {
                throw e;
            } catch (RuntimeException e) {
                if (errorIn(e) != null) {
                    throw e;
                }
                error = e;
                break;
            }
        }
        countResends(window.subList(0, futures.size()));
        if (!futures.isEmpty()) {
            producer.flush();
        }
        int done = 0;
        int sent = 0;
        Throwable failed = null;
        Throwable fatal = null;
        for (Future<RecordMetadata> f : futures) {
            if (!f.isDone()) {
                failed = new org.apache.kafka.common.errors.TimeoutException("not completed after flush");
                break;
            }
            try {
                f.get();
                sent++;
                done++;
            } catch (ExecutionException e) {
                if (errorIn(e.getCause()) != null) {
                    fatal = e.getCause(); // released up to here below, then the sender stops
                    failed = fatal;
                    break;
                }
                if (!isPermanent(e.getCause())) {
                    failed = e.getCause();
                    break;
                }
                SpoolRecord r = window.get(done);
                log.error("Kafka refused event run {} seq {} ({} bytes) for good: {}; it is dropped so the events "
                        + "behind it can go", r.event().runId(), r.event().seq(), r.event().value().length,
                        e.getCause().toString());
                spoolMetrics.rejected(1);
                done++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
        if (failed == null && done < window.size()) {
            failed = error;
        }
        // counters and status first, then the release, so that whoever sees the spool drained sees them too
        if (sent > 0) {
            metrics.sent.add(sent);
            lastAckMillis = System.currentTimeMillis();
        }
        if (failed == null && failure != null) {
            log.info("Kafka acknowledges events again (deliveries failed from {}, {} attempt(s))",
                    Instant.ofEpochMilli(failingSinceMillis), failures + 1);
            failure = null;
            failingSinceMillis = 0;
        }
        if (done > 0) {
            spool.ack(window.get(done - 1));
        }
        if (done < window.size()) {
            // the rest of the window was not handed over or not acknowledged: continue from the first of them
            spool.rewind();
        }
        if (fatal instanceof RuntimeException re) {
            throw re;
        } else if (fatal instanceof Error err) {
            throw err;
        } else if (fatal != null) {
            throw new KafkaException(fatal);
        }
        if (failed == null) {
            return true;
        }
        SpoolRecord first = window.get(done);
        noteFailure(failed, (window.size() - done) + " event(s) not acknowledged, from run "
                + first.event().runId() + " seq " + first.event().seq() + "; they stay in the spool and are sent "
                + "again in order");
        if (needsNewProducer(failed)) {
            replaceProducer();
        }
        return false;
    }

    private void countResends(List<SpoolRecord> window) {
        List<SpoolRecord> retry = new ArrayList<>();
        List<SpoolRecord> restart = new ArrayList<>();
        for (SpoolRecord r : window) {
            if (r.id() <= maxHandedOut) {
                retry.add(r);
            } else if (r.id() < spool.firstIdThisRun()) {
                restart.add(r);
            }
            maxHandedOut = Math.max(maxHandedOut, r.id());
        }
        if (!retry.isEmpty()) {
            metrics.resent.add(retry.size(), "retry");
            log.info("re-sending {} event(s) after a failed delivery: {}", retry.size(), ranges(retry));
        }
        if (!restart.isEmpty()) {
            metrics.resent.add(restart.size(), "restart");
            log.info("re-sending {} event(s) spooled before this start: {}", restart.size(), ranges(restart));
        }
    }

    /** "run <uuid> seq a..b" per run, for logs. */
    static String ranges(List<SpoolRecord> records) {
        StringBuilder sb = new StringBuilder();
        UUID run = null;
        long from = 0;
        long to = 0;
        for (SpoolRecord r : records) {
            UUID u = r.event().runId();
            long s = r.event().seq();
            if (u.equals(run) && s == to + 1) {
                to = s;
                continue;
            }
            if (run != null) {
                append(sb, run, from, to);
            }
            run = u;
            from = s;
            to = s;
        }
        if (run != null) {
            append(sb, run, from, to);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, UUID run, long from, long to) {
        if (sb.length() > 0) {
            sb.append(", ");
        }
        sb.append("run ").append(run).append(" seq ").append(from).append("..").append(to);
    }

    private void noteFailure(Throwable error, String what) {
        String name = error.getClass().getSimpleName();
        metrics.failures.inc(name);
        String message = describe(error);
        if (failure == null) {
            failingSinceMillis = System.currentTimeMillis();
            log.warn("Kafka delivery failed: {}; {}. Collection continues into the spool", message, what);
        } else if (!message.equals(failure)) {
            log.warn("Kafka delivery still failing: {}; {}", message, what);
        } else {
            log.debug("Kafka delivery still failing: {}; {}", message, what);
        }
        failure = message;
    }

    /**
     * An Error leaves this JVM unable to send: a class whose initialisation failed stays unusable, a native library
     * that cannot be loaded stays unloadable. Retrying would only hide it, so the sender stops, says why, and the
     * owner ends the process so that it is restarted (the spool keeps the events).
     */
    private void stop(Throwable e, String step) {
        Throwable error = errorIn(e);
        metrics.failures.inc((error == null ? e : error).getClass().getSimpleName());
        if (failingSinceMillis == 0) {
            failingSinceMillis = System.currentTimeMillis();
        }
        failure = describe(e);
        stopped = true;
        log.error("the Kafka sender stopped for good: {}, while {}.{} Events are no longer sent by this process; they "
                + "stay in the spool and are sent after a restart", failure, step, hint(error == null ? e : error));
        try {
            onStopped.accept(e);
        } catch (RuntimeException ex) {
            log.warn("after the sender stopped", ex);
        }
    }

    /** The first {@link Error} in the chain of causes, {@code e} included; null if none. */
    static Error errorIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error error) {
                return error;
            }
        }
        return null;
    }

    private static String hint(Throwable error) {
        if (error instanceof LinkageError) {
            return " A class or native library could not be loaded. zstd-jni (compression.type=zstd, the default) and"
                    + " JNA unpack their native libraries into java.io.tmpdir (" + System.getProperty("java.io.tmpdir")
                    + "), which must be writable and must not be mounted noexec; or set KAFKA_COMPRESSION_TYPE=gzip,"
                    + " which needs no native library.";
        }
        return "";
    }

    private String describe(Throwable e) {
        String m = Failures.describe(e);
        if (m.contains("No resolvable bootstrap urls")) {
            return m + " (no name in KAFKA_BOOTSTRAP_SERVERS resolves: check the names and the pod's DNS)";
        }
        if (e instanceof AuthorizationException) {
            return m + " (the agent's principal needs WRITE and DESCRIBE on topic " + settings.topic()
                    + " and on the schemas topic)";
        }
        if (e instanceof AuthenticationException) {
            return m + " (check the KAFKA_SASL_* / KAFKA_SSL_* settings)";
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException && m.contains("not present in metadata")) {
            return m + " (the brokers are unreachable, or the topic does not exist: the agent creates topics only "
                    + "with NODEPULSE_CREATE_TOPICS=true)";
        }
        return m;
    }

    private static boolean isPermanent(Throwable e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                || e instanceof InvalidRecordException || e instanceof InvalidTimestampException;
    }

    /** Errors after which the producer may be in a fatal state; a new one starts a new idempotent session. */
    private static boolean needsNewProducer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof AuthorizationException
                    || t instanceof AuthenticationException || t instanceof java.util.concurrent.TimeoutException) {
                return false;
            }
        }
        return true;
    }

    private void replaceProducer() {
        Producer<byte[], byte[]> old = producer;
        producer = null;
        if (old != null) {
            try {
                old.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("closing the old producer", e);
            }
            log.info("started a new producer session after the error above");
        }
    }

    private long backoff(int attempt) {
        long ms = Math.min(settings.maxBackoff().toMillis(), 1000L << Math.min(attempt - 1, 10));
        return draining ? Math.min(ms, 500) : ms;
    }

    private void pause(long ms) throws InterruptedException {
        synchronized (pause) {
            if (!stopping) {
                pause.wait(Math.max(1, ms));
            }
        }
    }

    /**
     * Keeps sending until every spooled event is acknowledged or the deadline passes; retries are not delayed
     * past half a second meanwhile. Returns true when the spool is empty; false at once when the sender has
     * stopped for good.
     */
    public boolean drain(Instant deadline) throws InterruptedException {
        draining = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        while (Instant.now().isBefore(deadline)) {
            if (spool.status().pending() == 0) {
                return true;
            }
            if (stopped) {
                return false;
            }
            Thread.sleep(20);
        }
        return spool.status().pending() == 0;
    }

    /** Stops sending; the producer gets {@code timeout} to finish what it holds. Unacknowledged events stay spooled. */
    public void close(Duration timeout) {
        stopping = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        spool.wakeUp();
        Producer<byte[], byte[]> p = producer;
        if (p != null) {
            try {
                // after the sender stopped, nothing would acknowledge what the producer still sends
                p.close(timeout.isNegative() || stopped ? Duration.ZERO : timeout);
            } catch (RuntimeException e) {
                log.debug("closing the producer", e);
            }
        }
        try {
            for (int i = 0; i < 40 && thread.isAlive(); i++) {
                spool.wakeUp();
                thread.join(50);
            }
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }
}
