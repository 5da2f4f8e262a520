package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.TcpProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The database stops answering in the middle of a write (packets dropped, nothing closed): closing the sink
 * keeps to its timeout and leaves the blocked lane to the database's rollback instead of waiting for it, so a
 * shutdown fits the pod's grace period.
 */
class SinkCloseIT extends Fixtures.PreparedStack {
    @Test
    void closeKeepsToItsTimeoutWhileALaneIsBlockedOnTheDatabase() throws Exception {
        List<String> nodes = IntStream.range(0, 4).mapToObj(i -> "blocked-" + i).toList();
        List<NodeMetrics> events = Fixtures.events("blocked", nodes,
                Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)), 5);
        URI db = URI.create(stack.jdbcUrl().substring("jdbc:".length()));
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
        try (TcpProxy proxy = TcpProxy.start(db.getHost(), db.getPort());
             KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack)) {
            Sink sink = Sink.start(SinkConfig.fromEnv(Fixtures.env(stack, proxy.rewrite(stack.jdbcUrl()))), topics,
                    Fixtures.SERDES, new MetricRegistry());
            try {
                assertThat(Fixtures.await(Duration.ofSeconds(60), () -> sink.readiness().ready())).isTrue();
                proxy.hold();
                Fixtures.send(producer, events.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);
                assertThat(Fixtures.await(Duration.ofSeconds(30), () -> proxy.heldBytes() > 0))
                        .as("a lane writes into the held connection").isTrue();

                sink.close(Duration.ofSeconds(2));
                String log = captured.toString(StandardCharsets.UTF_8);
                assertThat(log).contains("sink: [sink raw] still writing after PT2S; their uncommitted batches are "
                        + "read again on the next start", "sink closed after");
            } finally {
                proxy.release();
            }
        } finally {
            System.setErr(originalErr);
        }
    }
}
