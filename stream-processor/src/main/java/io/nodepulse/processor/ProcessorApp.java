package io.nodepulse.processor;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.ops.OpsServer;
import io.nodepulse.ops.Readiness;
import io.nodepulse.processor.migrate.Migrator;
import io.nodepulse.processor.sink.Sink;
import io.nodepulse.topic.Topic;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.SchemaCatalog;
import io.nodepulse.wire.SchemaTopic;
import io.nodepulse.wire.WireSerdes;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's lifecycle: ops endpoints first (so /readyz explains a slow start), then the topics check,
 * schema registration, migrations, the two Kafka Streams applications and the sink; on close the sink and both
 * applications side by side within one shutdown timeout, then the ops endpoints.
 */
final class ProcessorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessorApp.class);

    private final ProcessorConfig config;
    private final MetricRegistry registry = new MetricRegistry();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Counted down when close begins; {@link #closing()} and the disk-full pauses read it. */
    private final CountDownLatch closingSignal = new CountDownLatch(1);
    private final StreamsFailures failures;
    private volatile String phase = "starting";
    private volatile int exitCode;
    private OpsServer ops;
    private WireSerdes serdes;
    private PipelineStreams streams;
    private StreamsStatus streamsStatus;
    private Sink sink;

    ProcessorApp(ProcessorConfig config) {
        this.config = config;
        this.failures = new StreamsFailures(config.stateDir(),
                d -> closingSignal.await(d.toMillis(), TimeUnit.MILLISECONDS), System::currentTimeMillis);
    }

    void start() throws IOException, InterruptedException {
        try {
            ops = new OpsServer(config.httpHost(), config.httpPort(), this::live, this::readiness, registry);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve /healthz, /readyz and /metrics on " + config.httpHost()
                    + ":" + config.httpPort() + " (" + e.getMessage() + "); free the port or set NODEPULSE_HTTP_PORT",
                    e);
        }
        WireSerdes offline = WireSerdes.offline();
        Topics names = new Topics(config.topicPrefix(), offline);
        phase = "checking topics";
        ensureTopics(names);
        if (closing()) {
            return;
        }
        phase = "registering schemas";
        registerSchemas(names.schemas().name());
        offline.close();
        serdes = new WireSerdes(SchemaCatalog.withSource(
                new SchemaTopic(names.schemas().name(), config.clientConfig(), config.kafkaTimeout())));
        Topics topics = new Topics(config.topicPrefix(), serdes);
        if (config.sink() != null) {
            phase = "migrating the database";
            Migrator.Result r = Migrator.migrate(config.sink(), why -> phase = "migrating the database: " + why);
            log.info("database schema at version {} (TimescaleDB {} {}), applied now: {}", r.schemaVersion(),
                    r.timescaleVersion(), r.license(), r.applied());
        }
        phase = "starting Kafka Streams";
        Properties props = new Properties();
        props.putAll(config.streamsProperties());
        streams = new PipelineStreams(props, config.topology(), topics, serdes, config.alertRules(),
                new PipelineMetrics(registry));
        streams.topologies().forEach((name, t) -> log.info("{} topology:\n{}", name, t.describe()));
        streamsStatus = new StreamsStatus(streams.clients(), registry);
        streams.onStateChange((name, now, before) -> {
            log.info("Kafka Streams {}: {} -> {}", name, before, now);
            streamsStatus.onChange(name, now);
            if (now == KafkaStreams.State.ERROR) {
                log.error("Kafka Streams {} failed; stopping the processor (see the error above)", name);
                exitCode = 1;
                stopped.countDown();
            }
        });
        streams.onUncaughtException(failures::onFailure);
        streams.start();
        if (config.sink() != null) {
            phase = "starting the sink";
            sink = Sink.start(config.sink(), topics, serdes, registry);
        }
        phase = "running";
        log.info("processor running: applications {} and {}, topics under '{}', /metrics on port {}",
                config.applicationId(), PipelineStreams.applicationId(config.applicationId(), PipelineStreams.ROLLUP),
                config.topicPrefix(), ops.port());
    }

    /** Publishes this build's writer schemas to the schemas topic before anything is produced. */
    private void registerSchemas(String topic) {
        var producerConfig = new java.util.HashMap<>(config.clientConfig());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.kafkaTimeout().toMillis());
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis() + 5_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.min(config.kafkaTimeout().toMillis(), 30_000));
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(producerConfig,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            SchemaTopic.register(producer, topic, WireSerdes.writerSchemas(), config.kafkaTimeout());
        }
    }

    /** Waits until the topics exist (creating them when allowed), retrying while Kafka is unreachable. */
    private void ensureTopics(Topics topics) throws InterruptedException {
        var adminConfig = new java.util.HashMap<>(config.clientConfig());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        Duration wait = Duration.ofSeconds(1);
        try (Admin admin = Admin.create(adminConfig)) {
            while (!closing()) {
                try {
                    Set<String> existing = admin.listTopics().names()
                            .get(config.kafkaTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    List<String> missing = new ArrayList<>();
                    for (Topic<?, ?> t : topics.all()) {
                        if (!existing.contains(t.name())) {
                            missing.add(t.name());
                        }
                    }
                    if (missing.isEmpty()) {
                        return;
                    }
                    if (config.createTopics()) {
                        List<String> created = TopicAdmin.createMissing(admin, topics, config.topicPartitions(),
                                config.topicReplication(), config.kafkaTimeout());
                        log.info("created topics {} ({} partitions, replication {})", created,
                                config.topicPartitions(), config.topicReplication());
                        return;
                    }
                    phase = "waiting for topics " + missing + ": create them (the deployment's topic bootstrap, "
                            + "TopicAdmin) or set NODEPULSE_CREATE_TOPICS=true";
                    log.error("{}; checking again in {}s", phase, wait.toSeconds());
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                         | org.apache.kafka.common.KafkaException e) {
                    phase = "waiting for Kafka at " + config.kafka().get("bootstrap.servers") + ": " + e
                            + "; check KAFKA_BOOTSTRAP_SERVERS and the security settings";
                    log.warn("{}; retrying in {}s", phase, wait.toSeconds());
                }
                stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
                wait = Duration.ofSeconds(Math.min(30, wait.toSeconds() * 2));
            }
        }
    }

    private boolean closing() {
        return closingSignal.getCount() == 0;
    }

    boolean live() {
        return streams == null ? !closing() : streamsStatus.live() && (sink == null || sink.running());
    }

    Readiness readiness() {
        List<String> detail = new ArrayList<>();
        if (!"running".equals(phase)) {
            return new Readiness(false, List.of("processor: " + phase));
        }
        boolean[] ready = {true};
        streamsStatus.readiness(detail, ready);
        String streamsProblem = failures.problem();
        if (streamsProblem != null) {
            detail.add("streams: " + streamsProblem);
            ready[0] = false;
        }
        if (sink != null) {
            Readiness s = sink.readiness();
            detail.addAll(s.detail());
            ready[0] &= s.ready();
        }
        return new Readiness(ready[0], detail);
    }

    /** Blocks until close, a fatal Streams error or a sink lane that stopped on its own; returns the exit code. */
    int await() throws InterruptedException {
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            Sink s = sink;
            String failure = s == null || closing() ? null : s.failure();
            if (failure != null) {
                log.error("{}; stopping the processor so that it starts again (see the error above)", failure);
                return 1;
            }
        }
        return exitCode;
    }

    @Override
    public synchronized void close() {
        if (closing() && streams == null && sink == null) {
            return;
        }
        closingSignal.countDown();
        phase = "stopping";
        // the sink and both Streams applications close side by side within one shutdown timeout, so a sink
        // blocked on an unreachable database cannot use up the pod's grace period before Streams closes
        Duration timeout = config.shutdownTimeout();
        Thread sinkClose = null;
        if (sink != null) {
            Sink s = sink;
            log.info("closing the sink (up to {})", timeout);
            sinkClose = new Thread(() -> s.close(timeout), "sink-close");
            sinkClose.start();
        }
        if (streams != null) {
            log.info("closing Kafka Streams (up to {})", timeout);
            if (!streams.close(timeout)) {
                log.warn("Kafka Streams did not close within {}; its open transaction will be aborted", timeout);
            }
            streams = null;
        }
        if (sinkClose != null) {
            try {
                sinkClose.join(timeout.toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink = null;
        }
        if (serdes != null) {
            serdes.close();
        }
        if (ops != null) {
            ops.close();
        }
        stopped.countDown();
        log.info("processor stopped");
    }
}
