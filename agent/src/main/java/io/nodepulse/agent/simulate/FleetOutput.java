package io.nodepulse.agent.simulate;

import io.nodepulse.agent.spool.Spool;
import io.nodepulse.agent.spool.SpoolEvent;
import io.nodepulse.agent.spool.SpoolMetrics;
import io.nodepulse.agent.spool.SpoolSettings;
import io.nodepulse.agent.spool.SpoolStatus;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.agent.transport.Publisher;
import io.nodepulse.agent.transport.PublisherMetrics;
import io.nodepulse.agent.transport.PublisherStatus;
import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.SchemaTopic;
import io.nodepulse.wire.WireSerdes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's delivery path for a whole simulated fleet: one write-ahead {@link Spool} and one {@link Publisher}
 * (one idempotent producer) shared by every node. Events are appended in the order the fleet makes them and
 * sent in spool order; the Kafka key is the node name, so each node's events stay in order in their partition.
 */
public final class FleetOutput implements Fleet.Output, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetOutput.class);
    private static final Duration SCHEMA_TIMEOUT = Duration.ofSeconds(15);
    /** Most events per window handed to the producer (the agent's is 500; a fleet has more to send). */
    static final int WINDOW_RECORDS = 2000;

    private final Spool spool;
    private final Publisher publisher;
    private final SpoolMetrics spoolMetrics;
    private final PublisherMetrics publisherMetrics;
    private final String metricsTopic;

    private FleetOutput(Spool spool, Publisher publisher, SpoolMetrics spoolMetrics, PublisherMetrics publisherMetrics,
                        String metricsTopic) {
        this.spool = spool;
        this.publisher = publisher;
        this.spoolMetrics = spoolMetrics;
        this.publisherMetrics = publisherMetrics;
        this.metricsTopic = metricsTopic;
    }

    /**
     * Opens the spool in {@code spoolDir}, creates the topics if configured, and starts sending.
     *
     * @throws IOException the spool directory cannot be used
     */
    public static FleetOutput open(SimulatorConfig config, Path spoolDir, String clientId) throws IOException {
        Topics topics = new Topics(config.topicPrefix(), WireSerdes.offline());
        String metrics = topics.metrics().name();
        String schemas = topics.schemas().name();
        MetricRegistry registry = new MetricRegistry();
        SpoolMetrics spoolMetrics = new SpoolMetrics(registry);
        PublisherMetrics publisherMetrics = new PublisherMetrics(registry);
        Spool spool = Spool.open(SpoolSettings.of(spoolDir, config.spoolMaxBytes(), config.fsync(),
                config.fsyncInterval()).withLockWait(Duration.ofSeconds(5)), spoolMetrics);
        Map<String, Object> props = ProducerProperties.effective(config.producer(), clientId);
        if (config.createTopics()) {
            createTopics(props, topics, config.topicPartitions());
        }
        int batch = Integer.parseInt(props.get(ProducerConfig.BATCH_SIZE_CONFIG).toString());
        Publisher publisher = new Publisher(() -> new KafkaProducer<>(props),
                p -> SchemaTopic.register(p, schemas, List.of(NodeMetrics.getClassSchema()), SCHEMA_TIMEOUT),
                spool, publisherMetrics, spoolMetrics, new Publisher.Settings(metrics, WINDOW_RECORDS,
                Math.max(1, batch / 2), Duration.ofMillis(Math.min(1000, config.fsyncInterval().toMillis())),
                Duration.ofSeconds(10)));
        publisher.start();
        return new FleetOutput(spool, publisher, spoolMetrics, publisherMetrics, metrics);
    }

    public String metricsTopic() {
        return metricsTopic;
    }

    @Override
    public void append(SpoolEvent event) {
        spool.append(event);
    }

    /** Events Kafka acknowledged so far. */
    public long acknowledged() {
        return (long) publisherMetrics.sent();
    }

    /** Events sent again (after a failed delivery, or spooled by an earlier run). */
    public long resent() {
        return (long) publisherMetrics.resentTotal();
    }

    /** Events lost before Kafka acknowledged them (spool budget, full disk, refused by Kafka). */
    public long dropped() {
        return (long) spoolMetrics.droppedTotal();
    }

    public SpoolStatus spoolStatus() {
        return spool.status();
    }

    public PublisherStatus publisherStatus() {
        return publisher.status();
    }

    /** Waits until every spooled event is acknowledged or {@code timeout} passes; true when the spool is empty. */
    public boolean drain(Duration timeout) throws InterruptedException {
        return publisher.drain(Instant.now().plus(timeout));
    }

    /** Stops sending (unacknowledged events stay spooled) and closes the spool. */
    @Override
    public void close() {
        publisher.close(Duration.ofSeconds(5));
        spool.close();
    }

    private static void createTopics(Map<String, Object> producerProps, Topics topics, int partitions) {
        try (Admin admin = Admin.create(ProducerProperties.admin(producerProps))) {
            Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
            for (var t : List.of(topics.metrics(), topics.schemas())) {
                if (!existing.contains(t.name())) {
                    int n = TopicAdmin.partitionsFor(topics, t, partitions);
                    try {
                        admin.createTopics(List.of(new NewTopic(t.name(), java.util.Optional.of(n),
                                java.util.Optional.empty()).configs(t.allConfigs()))).all().get(15, TimeUnit.SECONDS);
                        log.info("created topic {} ({} partition(s))", t.name(), n);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
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
