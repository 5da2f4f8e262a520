package io.nodepulse.agent;

import io.nodepulse.agent.encode.AgentIdentity;
import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.encode.EventStamper;
import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolStatus;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.agent.transport.Publisher;
import io.nodepulse.agent.transport.PublisherMetrics;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.ops.OpsServer;
import io.nodepulse.ops.Readiness;
import io.nodepulse.schema.CollectorResult;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.topic.Topic;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.SchemaTopic;
import io.nodepulse.wire.WireSerdes;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: collection on the calling thread, one event per tick through the spool to Kafka on the
 * sender thread, the ops port, and the SIGTERM sequence ({@link #shutdown()}).
 */
public final class AgentRuntime {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(15);

    private final AgentConfig config;
    private final Sampler sampler;
    private final List<String> selfCheck;
    private final Clock clock;
    private final EventStamper stamper;
    private final EventEncoder encoder;
    private final Spool spool;
    private final Publisher publisher;
    private final OpsServer ops;
    private final Ticker ticker;
    private final MetricRegistry.Counter collected;
    private final MetricRegistry.Counter collectionFailures;
    private final MetricRegistry.Counter ticksSkipped;
    private final SpoolMetrics spoolMetrics;
    private final PublisherMetrics publisherMetrics;
    private final CountDownLatch collectionStopped = new CountDownLatch(1);
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch shutdownDone = new CountDownLatch(1);

    private volatile ReadinessCheck.Cycle lastCollection;
    private volatile long cycleStartedMillis;
    private volatile Throwable senderFailure;

    /** The sender stopped for good (an {@link Error}); collection has stopped, the process should exit. */
    public static final class SenderStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SenderStopped(Throwable cause) {
            super("the Kafka sender stopped for good (" + cause + "), so collection stopped too", cause);
        }
    }

    /**
     * Opens the spool, starts the sender and the ops port. Collection starts with {@link #run()}.
     *
     * @param sampler   takes one reading per tick
     * @param bootId    the current boot id, for the SHUTDOWN event
     * @param selfCheck start-up findings about the host view, shown on /readyz
     * @param registry  the agent's metrics; the collector's are registered already
     */
    public AgentRuntime(AgentConfig config, Sampler sampler, Supplier<String> bootId, List<String> selfCheck,
                        MetricRegistry registry) throws IOException {
        this(config, sampler, bootId, selfCheck, registry, Clock.systemUTC(), Ticker::systemSleeper, KafkaProducer::new,
                (producer, topic) -> SchemaTopic.register(producer, topic, List.of(NodeMetrics.getClassSchema()),
                        SCHEMA_TIMEOUT));
    }

    /**
     * @param sleeper   waits for the ticks of {@code clock}
     * @param producers builds a producer from the effective properties
     * @param register  registers the writer schema through a producer in the given schemas topic
     */
    AgentRuntime(AgentConfig config, Sampler sampler, Supplier<String> bootId, List<String> selfCheck,
                 MetricRegistry registry, Clock clock, Function<Clock, Ticker.Sleeper> sleeper,
                 Function<Map<String, Object>, Producer<byte[], byte[]>> producers,
                 BiConsumer<Producer<byte[], byte[]>, String> register) throws IOException {
        this.config = config;
        this.sampler = sampler;
        this.selfCheck = List.copyOf(selfCheck);
        this.clock = clock;
        AgentIdentity identity = AgentIdentity.newRun(config.cluster(), config.node(),
                io.nodepulse.agent.encode.AgentVersion.get());
        this.stamper = new EventStamper(identity, config.interval(), bootId);
        Topics topics = new Topics(config.topicPrefix(), WireSerdes.offline());
        String metricsTopic = topics.metrics().name();
        String schemasTopic = topics.schemas().name();
        this.encoder = new EventEncoder(metricsTopic);

        registry.gaugeFamily("nodepulse_agent_info", "The agent's version, identity and run id; always 1.",
                () -> Map.of(List.of(identity.agentVersion(), identity.cluster(), identity.node(),
                        identity.runId().toString()), 1.0), "version", "cluster", "node", "run_id");
        collected = registry.counter("nodepulse_agent_events_collected_total",
                "Collection cycles that produced an event.");
        collectionFailures = registry.counter("nodepulse_agent_collection_failures_total",
                "Collection cycles that produced no event; the log says why.");
        ticksSkipped = registry.counter("nodepulse_agent_ticks_skipped_total",
                "Ticks skipped because a cycle overran, the clock stepped forward or the process was paused.");
        spoolMetrics = new SpoolMetrics(registry);
        publisherMetrics = new PublisherMetrics(registry);

        this.spool = Spool.open(config.spool(), spoolMetrics);
        OpsServer server = null;
        try {
            registry.gauge("nodepulse_agent_spool_bytes", "Bytes of the spool's segment files.",
                    () -> spool.status().bytes());
            registry.gauge("nodepulse_agent_spool_budget_bytes", "The spool's byte budget.",
                    () -> spool.status().maxBytes());
            registry.gauge("nodepulse_agent_spool_segments", "Segment files in the spool.",
                    () -> spool.status().segments());
            registry.gauge("nodepulse_agent_spool_pending_events",
                    "Events not yet acknowledged by Kafka, on disk or held in memory.", () -> spool.status().pending());
            registry.gauge("nodepulse_agent_spool_held_events",
                    "Events kept in memory because the disk refused writes.", () -> spool.status().heldEvents());

            String clientId = "nodepulse-agent-" + config.node();
            Map<String, Object> producerProps = ProducerProperties.effective(config.producer(), clientId);
            if (config.createTopics()) {
                createTopics(producerProps, topics);
            }
            int batch = ProducerProperties.batchSize(producerProps);
            this.publisher = new Publisher(() -> producers.apply(producerProps), p -> register.accept(p, schemasTopic),
                    spool, publisherMetrics, spoolMetrics,
                    new Publisher.Settings(metricsTopic, 500, Math.max(1, batch / 2), Duration.ofMillis(Math.min(1000,
                            config.spool().fsyncInterval().toMillis())), Duration.ofSeconds(10)), this::senderStopped);
            registry.gauge("nodepulse_agent_schema_registered", "1 once the writer schema is in the schemas topic.",
                    () -> publisher.status().schemaRegistered() ? 1 : 0);
            registry.gauge("nodepulse_agent_kafka_last_ack_timestamp_seconds",
                    "When Kafka last acknowledged events; 0 before the first.",
                    () -> publisher.status().lastAckMillis() / 1000.0);

            this.ticker = new Ticker(new TickSchedule(config.interval()), clock, sleeper.apply(clock), this::cycle,
                    ticksSkipped::add);
            try {
                server = new OpsServer(config.httpHost(), config.httpPort(), this::live, this::readiness, registry);
            } catch (IOException e) {
                throw new IOException("cannot serve /healthz, /readyz and /metrics on " + config.httpHost() + ":"
                        + config.httpPort() + " (" + e.getMessage() + "); free the port or set NODEPULSE_HTTP_PORT", e);
            }
            this.ops = server;
            publisher.start();
        } catch (IOException | RuntimeException | Error e) {
            // nothing may outlive a failed start: the ops port's thread would keep the JVM alive
            if (server != null) {
                server.close();
            }
            spool.close();
            throw e;
        }
        log.info("agent {} started: node {} cluster {} run {}, every {} to {} (schemas in {})",
                identity.agentVersion(), identity.node(), identity.cluster(), identity.runId(), config.interval(),
                metricsTopic, schemasTopic);
    }

    /** The port /metrics is served on. */
    public int httpPort() {
        return ops.port();
    }

    /**
     * Collects on every tick until {@link #shutdown()}; blocks the calling thread.
     *
     * @throws SenderStopped when collection stopped because the sender stopped for good: the caller should exit
     *                       (non-zero) so that the agent is restarted rather than spool into a dead sender
     */
    public void run() throws InterruptedException {
        try {
            ticker.run();
        } finally {
            collectionStopped.countDown();
        }
        Throwable failure = senderFailure;
        if (failure != null) {
            throw new SenderStopped(failure);
        }
    }

    /** On the sender thread, when it stops for good: collection stops, {@link #run()} throws. */
    private void senderStopped(Throwable e) {
        senderFailure = e;
        ticker.stop();
    }

    private void cycle(Instant tick) {
        cycleStartedMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        try {
            NodeMetrics.Builder reading = sampler.sample(tick);
            if (shuttingDown.get()) {
                return;
            }
            NodeMetrics event = stamper.sample(reading, tick);
            spool.append(encoder.encode(event));
            collected.inc();
            List<String> failing = new ArrayList<>();
            boolean anyOk = event.getCollectors().isEmpty();
            for (CollectorResult c : event.getCollectors()) {
                if (c.getOk()) {
                    anyOk = true;
                } else {
                    failing.add(c.getName() + " (" + c.getError() + ")");
                }
            }
            long end = System.nanoTime();
            lastCollection = new ReadinessCheck.Cycle(tick, (end - start) / 1_000_000, null, failing, anyOk, end);
        } catch (RuntimeException e) {
            collectionFailures.inc();
            long end = System.nanoTime();
            lastCollection = new ReadinessCheck.Cycle(tick, (end - start) / 1_000_000, e.toString(), List.of(), false,
                    end);
            log.error("collection at tick {} failed; no event for it", tick, e);
        } finally {
            cycleStartedMillis = 0;
        }
    }

    /** Live unless a collection cycle has hung for three intervals (at least a minute). */
    private boolean live() {
        long started = cycleStartedMillis;
        long limit = Math.max(60_000, 3 * config.interval().toMillis());
        return started == 0 || System.currentTimeMillis() - started < limit;
    }

    Readiness readiness() {
        ReadinessCheck.Cycle last = lastCollection;
        Duration sinceLast = last == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - last.endNanos());
        return ReadinessCheck.evaluate(last, sinceLast, config.interval(), spool.status(), publisher.status(),
                selfCheck, System.currentTimeMillis());
    }

    /**
     * The SIGTERM sequence: stop collecting, spool a SHUTDOWN event, send what Kafka takes within the grace
     * time, keep the rest in the spool. Idempotent; later callers wait for the first.
     */
    public void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            try {
                shutdownDone.await(config.shutdownGrace().toMillis() + 10_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            Instant start = Instant.now();
            Instant deadline = start.plus(config.shutdownGrace());
            if (senderFailure == null) {
                log.info("stopping: collection ends, then up to {} to send what is spooled", config.shutdownGrace());
            } else {
                log.info("stopping: collection ends; the sender has stopped, so what is spooled stays for the next "
                        + "start");
            }
            ticker.stop();
            long waitMs = Math.max(2000, config.shutdownGrace().toMillis());
            if (!collectionStopped.await(waitMs, TimeUnit.MILLISECONDS)) {
                log.warn("the collection cycle in progress did not end within {} ms; stopping anyway", waitMs);
            }
            NodeMetrics last = stamper.shutdown(clock.instant());
            if (!spool.append(encoder.encode(last))) {
                log.warn("the SHUTDOWN event could not be written to the spool");
            }
            boolean drained = publisher.drain(deadline);
            Duration left = Duration.between(Instant.now(), deadline);
            publisher.close(left.isNegative() ? Duration.ZERO : left);
            SpoolStatus s = spool.status();
            spool.close();
            ops.close();
            log.info("stopped after {} ms: {} event(s) collected, {} spooled, {} sent, {} re-sent, {} dropped; {}",
                    Duration.between(start, Instant.now()).toMillis(), (long) collected.get(),
                    (long) spoolMetrics.spooled(), (long) publisherMetrics.sent(),
                    (long) publisherMetrics.resentTotal(), (long) spoolMetrics.droppedTotal(),
                    drained ? "the spool is empty, the last event was SHUTDOWN seq " + last.getSeq()
                            : s.pending() + " event(s) stay in the spool for the next start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("error while stopping", e);
        } finally {
            shutdownDone.countDown();
        }
    }

    /** Creates the metrics and schemas topics when missing (NODEPULSE_CREATE_TOPICS=true; local runs). */
    private static void createTopics(Map<String, Object> producerProps, Topics topics) {
        try (Admin admin = Admin.create(ProducerProperties.admin(producerProps))) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic<?, ?> t : List.of(topics.metrics(), topics.schemas())) {
                if (!existing.contains(t.name())) {
                    Optional<Integer> partitions = t.equals(topics.schemas()) ? Optional.of(1) : Optional.empty();
                    missing.add(new NewTopic(t.name(), partitions, Optional.empty()).configs(t.allConfigs()));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(15, TimeUnit.SECONDS);
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("cannot create the topics (NODEPULSE_CREATE_TOPICS=true): {}; events wait in the spool until "
                    + "the topics exist", e.toString());
        }
    }
}
