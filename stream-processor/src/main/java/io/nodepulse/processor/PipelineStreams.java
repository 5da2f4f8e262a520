package io.nodepulse.processor;

import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The two Kafka Streams applications of {@link PipelineTopology}: {@code ingest} under the configured
 * application id and {@code rollup} under that id plus {@value PipelineTopology#ROLLUP_APP_SUFFIX}. Each has its
 * own stream threads, producer and transactions, its own consumer group and internal topics.
 */
public final class PipelineStreams implements AutoCloseable {
    public static final String INGEST = "ingest";
    public static final String ROLLUP = "rollup";

    private final Map<String, Topology> topologies = new LinkedHashMap<>();
    private final Map<String, KafkaStreams> clients = new LinkedHashMap<>();

    /**
     * @param properties Streams properties with the processor's {@code application.id}; the rollup application
     *                   gets the same with the suffixed id
     */
    public PipelineStreams(Properties properties, PipelineTopology.Settings settings, Topics topics,
                           WireSerdes serdes, AlertRules rules, PipelineMetrics metrics) {
        String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        if (applicationId == null) {
            throw new IllegalArgumentException("no " + StreamsConfig.APPLICATION_ID_CONFIG + " in the Streams properties");
        }
        topologies.put(INGEST, PipelineTopology.buildIngest(settings, topics, serdes, rules, metrics));
        topologies.put(ROLLUP, PipelineTopology.buildRollup(settings, topics, serdes, rules, metrics));
        for (Map.Entry<String, Topology> t : topologies.entrySet()) {
            Properties p = new Properties();
            p.putAll(properties);
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(applicationId, t.getKey()));
            clients.put(t.getKey(), new KafkaStreams(t.getValue(), p));
        }
    }

    /** The application id of {@code app} ({@link #INGEST} or {@link #ROLLUP}). */
    public static String applicationId(String processorApplicationId, String app) {
        return ROLLUP.equals(app) ? processorApplicationId + PipelineTopology.ROLLUP_APP_SUFFIX
                : processorApplicationId;
    }

    /** The clients by name, ingest first. */
    public Map<String, KafkaStreams> clients() {
        return clients;
    }

    public Map<String, Topology> topologies() {
        return topologies;
    }

    /** Registers a state listener on every client, called with the client's name and its new and old state. */
    public void onStateChange(StateListener listener) {
        clients.forEach((name, c) -> c.setStateListener((now, before) -> listener.onChange(name, now, before)));
    }

    /** Registers the handler of a stream thread's uncaught exception on every client, with the client's name. */
    public void onUncaughtException(
            BiFunction<String, Throwable, StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse> handler) {
        clients.forEach((name, c) -> c.setUncaughtExceptionHandler(e -> handler.apply(name, e)));
    }

    public void start() {
        clients.values().forEach(KafkaStreams::start);
    }

    /**
     * Closes both clients within {@code timeout} in all: both shutdowns start at once, then each is waited for;
     * false if either did not finish in time.
     */
    public boolean close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // start both shutdowns at once, then wait for each: one slow application does not eat the other's time
        for (String name : new String[] {ROLLUP, INGEST}) {
            clients.get(name).close(CloseOptions.timeout(Duration.ZERO));
        }
        boolean all = true;
        for (String name : new String[] {ROLLUP, INGEST}) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            all &= clients.get(name).close(CloseOptions.timeout(left));
        }
        return all;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Deletes the local state of both applications (after close). */
    public void cleanUp() {
        clients.values().forEach(KafkaStreams::cleanUp);
    }

    @FunctionalInterface
    public interface StateListener {
        void onChange(String client, KafkaStreams.State now, KafkaStreams.State before);
    }
}
