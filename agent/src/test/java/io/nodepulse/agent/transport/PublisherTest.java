package io.nodepulse.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.agent.Await;
import io.nodepulse.agent.spool.FsyncPolicy;
import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolEvent;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolSettings;
import io.nodepulse.ops.MetricRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's order and accounting logic against a scripted producer that behaves like an idempotent one:
 * a record that is lost takes the rest of its flush with it; a record may also land and still be reported as
 * timed out.
 */
class PublisherTest {
    private static final UUID RUN = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
    private static final String TOPIC = "t.metrics";

    @TempDir
    Path dir;

    private final MetricRegistry registry = new MetricRegistry();
    private final SpoolMetrics spoolMetrics = new SpoolMetrics(registry);
    private final PublisherMetrics metrics = new PublisherMetrics(registry);
    private final List<Long> landed = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final List<Long> handed = Collections.synchronizedList(new ArrayList<>());
    private Spool spool;
    private Publisher publisher;

    enum Outcome { LAND, LOST, LANDED_BUT_TIMED_OUT, TOO_LARGE, FAILS_AT_ONCE, LANDS_AT_ONCE }

    interface Script {
        Outcome decide(long seq, int attempt);
    }

    /** Completes sends on flush according to a script. */
    final class ScriptedProducer extends MockProducer<byte[], byte[]> {
        private final Script script;
        private final ArrayDeque<Long> pending = new ArrayDeque<>();

        ScriptedProducer(Script script) {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.script = script;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            assertThat(record.topic()).isEqualTo(TOPIC);
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("node-a");
            long seq = ByteBuffer.wrap(record.value()).getLong();
            handed.add(seq);
            int attempt = attempts.computeIfAbsent(seq, k -> new AtomicInteger()).get() + 1;
            Outcome now = script.decide(seq, attempt);
            if (now == Outcome.FAILS_AT_ONCE) {
                attempts.get(seq).incrementAndGet();
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new TimeoutException("Topic t.metrics not present in metadata after 5000 ms."));
            }
            if (now == Outcome.LANDS_AT_ONCE) {
                // the batch holding the pending records and this one completes before the flush
                attempts.get(seq).incrementAndGet();
                while (!pending.isEmpty()) {
                    landed.add(pending.poll());
                    completeNext();
                }
                landed.add(seq);
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
            pending.add(seq);
            return super.send(record, callback);
        }

        @Override
        public synchronized void flush() {
            boolean broken = false;
            while (!pending.isEmpty()) {
                long seq = pending.poll();
                int attempt = attempts.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
                Outcome o = broken ? Outcome.LOST : script.decide(seq, attempt);
                switch (o) {
                    case LAND -> {
                        landed.add(seq);
                        completeNext();
                    }
                    case LANDED_BUT_TIMED_OUT -> {
                        landed.add(seq);
                        broken = true;
                        errorNext(new TimeoutException("Expiring 1 record(s): 30000 ms has passed"));
                    }
                    case LOST -> {
                        broken = true;
                        errorNext(new TimeoutException("Expiring 1 record(s): 30000 ms has passed"));
                    }
                    case TOO_LARGE -> errorNext(new RecordTooLargeException("too large"));
                    default -> throw new IllegalStateException();
                }
            }
        }
    }

    private Spool openSpool() throws IOException {
        return Spool.open(SpoolSettings.of(dir.resolve("spool"), 1 << 20, FsyncPolicy.INTERVAL, Duration.ofMillis(50))
                .withLockWait(Duration.ZERO), spoolMetrics);
    }

    private static SpoolEvent event(long seq) {
        return new SpoolEvent(RUN, seq, "node-a".getBytes(StandardCharsets.UTF_8),
                ByteBuffer.allocate(8).putLong(seq).array());
    }

    private Publisher start(Script script, Consumer<Producer<byte[], byte[]>> register) {
        return start(() -> new ScriptedProducer(script), register, e -> { });
    }

    private Publisher start(Supplier<Producer<byte[], byte[]>> producers, Consumer<Producer<byte[], byte[]>> register,
                            Consumer<Throwable> onStopped) {
        publisher = new Publisher(producers, register, spool, metrics, spoolMetrics,
                new Publisher.Settings(TOPIC, 4, 1 << 20, Duration.ofMillis(20), Duration.ofMillis(10)), onStopped);
        publisher.start();
        return publisher;
    }

    @AfterEach
    void tearDown() {
        if (publisher != null) {
            publisher.close(Duration.ZERO);
        }
        if (spool != null) {
            spool.close();
        }
    }

    @Test
    void sendsEverySpooledEventInOrderAndReleasesIt() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 10; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        for (long i = 11; i <= 13; i++) {
            spool.append(event(i));
        }
        Await.until(() -> spool.status().pending() == 0, "new events acknowledged");
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
        assertThat(metrics.sent()).isEqualTo(13);
        assertThat(metrics.resent("retry") + metrics.resent("restart")).isZero();
        assertThat(publisher.status().lastAckMillis()).isPositive();
        assertThat(publisher.status().failure()).isNull();
    }

    @Test
    void aFailedDeliveryIsSentAgainFromTheFailedEventInOrder() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 10; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> seq == 6 && attempt <= 2 ? Outcome.LOST : Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(metrics.sent()).isEqualTo(10);
        assertThat(metrics.resent("retry")).as("6..8 again after the first failure, 6..9 after the second")
                .isEqualTo(7);
        assertThat(publisher.status().failure()).isNull();
    }

    @Test
    void duplicatesInKafkaAreOnlyEventsCountedAsResent() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 12; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> (seq == 3 || seq == 9) && attempt == 1 ? Outcome.LANDED_BUT_TIMED_OUT
                : Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        List<Long> firsts = landed.stream().distinct().toList();
        assertThat(firsts).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(landed).hasSize(14);
        assertThat(landed.size() - firsts.size()).isLessThanOrEqualTo((int) metrics.resent("retry"));
    }

    @Test
    void aRecordThatFailsAtOnceEndsItsWindowSoNothingOvertakesIt() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 10; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> seq == 6 && attempt == 1 ? Outcome.FAILS_AT_ONCE : Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(handed.indexOf(7L)).as("7 is handed over only after 6 was handed over again")
                .isGreaterThan(handed.lastIndexOf(6L));
        assertThat(metrics.resent("retry")).isEqualTo(1);
    }

    @Test
    void aWindowCutShortByAnEarlyCompletionGoesOnWithTheRest() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 10; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> seq == 2 && attempt == 1 ? Outcome.LANDS_AT_ONCE : Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(metrics.resent("retry")).isZero();
        assertThat(metrics.sent()).isEqualTo(10);
    }

    @Test
    void anEventKafkaRefusesForGoodIsDroppedAndDoesNotBlockTheRest() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 6; i++) {
            spool.append(event(i));
        }
        start((seq, attempt) -> seq == 2 ? Outcome.TOO_LARGE : Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything released");
        assertThat(landed).containsExactly(1L, 3L, 4L, 5L, 6L);
        assertThat(spoolMetrics.dropped("rejected")).isEqualTo(1);
        assertThat(metrics.sent()).isEqualTo(5);
    }

    @Test
    void nothingIsSentBeforeTheSchemaIsRegistered() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 3; i++) {
            spool.append(event(i));
        }
        AtomicInteger registrations = new AtomicInteger();
        start((seq, attempt) -> Outcome.LAND, p -> {
            assertThat(((MockProducer<byte[], byte[]>) p).history()).isEmpty();
            if (registrations.incrementAndGet() < 3) {
                throw new KafkaException("cannot register schemas in topic t.schemas: broker unreachable");
            }
        });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        assertThat(registrations.get()).isEqualTo(3);
        assertThat(landed).containsExactly(1L, 2L, 3L);
        assertThat(registry.scrape()).contains("nodepulse_agent_send_failures_total{error=\"KafkaException\"} 2");
    }

    @Test
    void eventsLeftByAnEarlierRunAreSentFirstAndCountedAsRestartResends() throws Exception {
        spool = openSpool();
        for (long i = 1; i <= 5; i++) {
            spool.append(event(i));
        }
        spool.close();
        spool = openSpool();
        spool.append(event(6));
        start((seq, attempt) -> Outcome.LAND, p -> { });
        Await.until(() -> spool.status().pending() == 0, "everything acknowledged");
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(metrics.resent("restart")).isEqualTo(5);
        assertThat(metrics.resent("retry")).isZero();
    }

    @Test
    void drainReturnsOnceEverythingIsAcknowledged() throws Exception {
        spool = openSpool();
        start((seq, attempt) -> attempt == 1 ? Outcome.LOST : Outcome.LAND, p -> { });
        for (long i = 1; i <= 5; i++) {
            spool.append(event(i));
        }
        assertThat(publisher.drain(Instant.now().plusSeconds(20))).isTrue();
        assertThat(landed).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aProducerThatCannotBeBuiltIsRetriedAndReportedWithItsRootCause() throws Exception {
        spool = openSpool();
        spool.append(event(1));
        AtomicInteger builds = new AtomicInteger();
        start(() -> {
            builds.incrementAndGet();
            throw new KafkaException("Failed to construct kafka producer",
                    new ConfigException("No resolvable bootstrap urls given in bootstrap.servers"));
        }, p -> { }, e -> { });
        Await.until(() -> builds.get() >= 3, "retries");
        PublisherStatus status = publisher.status();
        assertThat(status.stopped()).isFalse();
        assertThat(status.failure()).contains("Failed to construct kafka producer")
                .contains("root cause: org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls")
                .contains("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(spool.status().pending()).isEqualTo(1);
    }

    /** A producer whose send fails like zstd-jni on a noexec /tmp: raw, or wrapped the way Kafka wraps it. */
    private MockProducer<byte[], byte[]> failingSend(RuntimeException wrapped, Error raw) {
        return new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                if (raw != null) {
                    throw raw;
                }
                throw wrapped;
            }
        };
    }

    @ParameterizedTest(name = "wrapped in an exception: {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void anErrorStopsTheSenderForGoodAndSaysSo(boolean wrapped) throws Exception {
        Error noexec = new UnsatisfiedLinkError("/tmp/libzstd-jni-1.5.7-17.so: failed to map segment from shared "
                + "object");
        MockProducer<byte[], byte[]> producer = wrapped ? failingSend(new KafkaException(noexec), null)
                : failingSend(null, noexec);
        spool = openSpool();
        spool.append(event(1));
        List<Throwable> stopped = Collections.synchronizedList(new ArrayList<>());
        start(() -> producer, p -> { }, stopped::add);
        Await.until(() -> !stopped.isEmpty(), "the sender to stop");
        PublisherStatus status = publisher.status();
        assertThat(status.stopped()).isTrue();
        assertThat(status.failure()).contains("UnsatisfiedLinkError").contains("failed to map segment");
        assertThat(status.failingSinceMillis()).isPositive();
        assertThat(publisher.drain(Instant.now().plusSeconds(3600))).as("no waiting for a dead sender").isFalse();
        assertThat(spool.status().pending()).as("the event stays spooled").isEqualTo(1);
        assertThat(registry.scrape()).contains("nodepulse_agent_send_failures_total{error=\"UnsatisfiedLinkError\"} 1");
    }

    @Test
    @Timeout(60)
    void eventsAcknowledgedBeforeAnErrorLeaveTheSpool() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                completeNext();
                errorNext(new KafkaException(new UnsatisfiedLinkError("libzstd-jni: failed to map segment")));
            }
        };
        spool = openSpool();
        spool.append(event(1));
        spool.append(event(2));
        List<Throwable> stopped = Collections.synchronizedList(new ArrayList<>());
        start(() -> producer, p -> { }, stopped::add);
        Await.until(() -> !stopped.isEmpty(), "the sender to stop");
        assertThat(spool.status().pending()).as("only the unacknowledged event stays spooled").isEqualTo(1);
        assertThat(publisher.status().stopped()).isTrue();
    }

    @Test
    @Timeout(60)
    void anErrorWhileRegisteringTheSchemaStopsTheSenderToo() throws Exception {
        spool = openSpool();
        List<Throwable> stopped = Collections.synchronizedList(new ArrayList<>());
        start(() -> new ScriptedProducer((seq, attempt) -> Outcome.LAND), p -> {
            throw new NoClassDefFoundError("Could not initialize class "
                    + "com.github.luben.zstd.ZstdOutputStreamNoFinalizer");
        }, stopped::add);
        Await.until(() -> !stopped.isEmpty(), "the sender to stop");
        assertThat(stopped.get(0)).isInstanceOf(NoClassDefFoundError.class);
        assertThat(publisher.status().stopped()).isTrue();
        assertThat(publisher.status().failure()).contains("NoClassDefFoundError");
        assertThat(publisher.status().schemaRegistered()).isFalse();
    }

    @Test
    void rangesSummariseRunsAndSequences() {
        UUID other = UUID.fromString("00000000-0000-0000-0000-0000000000bb");
        List<io.nodepulse.agent.spool.SpoolRecord> records = new ArrayList<>();
        long id = 1;
        for (long s : new long[] {4, 5, 6, 9}) {
            records.add(new io.nodepulse.agent.spool.SpoolRecord(id++, event(s), 1, 0));
        }
        records.add(new io.nodepulse.agent.spool.SpoolRecord(id, new SpoolEvent(other, 1, new byte[0], new byte[0]),
                1, 0));
        assertThat(Publisher.ranges(records)).isEqualTo("run " + RUN + " seq 4..6, run " + RUN + " seq 9..9, run "
                + other + " seq 1..1");
    }
}
