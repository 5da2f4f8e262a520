package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.ops.Readiness;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running agent with a fake clock, a fake sleeper and fake producers: no Kafka; the ops port is a free
 * port on 127.0.0.1.
 */
@Timeout(60)
class AgentRuntimeTest {
    private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(T0.plusMillis(300));
    private AgentRuntime runtime;

    private AgentConfig config(String... kv) {
        Map<String, String> env = MainTest.env(tmp.resolve("spool"));
        env.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        env.put("NODEPULSE_HTTP_PORT", "0");
        env.put("NODEPULSE_SHUTDOWN_GRACE", "1s");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return AgentConfig.fromEnv(env, AgentConfig.Mode.RUN, () -> "host-a", tmp);
    }

    private static NodeMetrics.Builder reading(Instant tick) {
        return NodeMetrics.newBuilder(SampleMetrics.event("x", "x", "boot-1", "x", 99, tick)).clearCluster()
                .clearNode().clearRunId().clearSeq().clearEventTime().clearIntervalMs().clearAgentVersion().clearKind();
    }

    /** Moves the clock to the first {@code ticks} ticks at once, then waits until the ticker is stopped. */
    private Function<Clock, Ticker.Sleeper> ticksThenWaits(int ticks) {
        AtomicInteger slept = new AtomicInteger();
        return c -> (t, ticker) -> {
            if (slept.incrementAndGet() <= ticks) {
                if (t.isAfter(clock.instant())) {
                    clock.set(t);
                }
                return;
            }
            synchronized (ticker) {
                while (!ticker.stopped()) {
                    ticker.wait();
                }
            }
        };
    }

    private AgentRuntime start(AgentConfig config, Function<Map<String, Object>, Producer<byte[], byte[]>> producers)
            throws IOException {
        runtime = new AgentRuntime(config, AgentRuntimeTest::reading, () -> "boot-1", List.of(), new MetricRegistry(),
                clock, ticksThenWaits(1), producers, (producer, topic) -> { });
        return runtime;
    }

    private Thread collecting;

    @AfterEach
    void stop() throws InterruptedException {
        if (runtime != null) {
            runtime.shutdown();
        }
        if (collecting != null) {
            collecting.join();
        }
    }

    private void collectInTheBackground() {
        collecting = new Thread(() -> {
            try {
                runtime.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "collecting");
        collecting.start();
    }

    @Test
    void aBatchSizeWithSpacesAroundTheNumberIsReadAsKafkaReadsIt() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        start(config("KAFKA_BATCH_SIZE", " 65536"), props -> producer);
        collectInTheBackground();
        Await.until(() -> !producer.history().isEmpty(), "the first event to be sent");
        Await.until(() -> runtime.readiness().ready(), "readiness");
        assertThat(runtime.readiness().detail()).anySatisfy(line -> assertThat(line).startsWith("kafka: delivering"));
    }

    @Test
    void anErrorInTheSenderStopsCollectionAndTheAgentIsNotReady() throws Exception {
        start(config(), props -> new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
                throw new UnsatisfiedLinkError("/tmp/libzstd-jni.so: failed to map segment from shared object");
            }
        });
        Throwable stopped = catchThrowable(runtime::run);
        assertThat(stopped).as("run() ends instead of collecting into a dead sender")
                .isInstanceOf(AgentRuntime.SenderStopped.class).hasMessageContaining("UnsatisfiedLinkError");
        Readiness r = runtime.readiness();
        assertThat(r.ready()).isFalse();
        assertThat(r.detail()).anySatisfy(line -> assertThat(line).startsWith("kafka: the sender stopped")
                .contains("failed to map segment"));
    }
}
