package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.TcpProxy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * The database goes away for 30 s (a proxy drops every connection and refuses new ones) while events keep
 * arriving. The sink pauses, retries with backoff and logs each retry, reports itself not ready, and once the
 * database is back it stores every event exactly once.
 */
class SinkOutageIT extends Fixtures.PreparedStack {
    static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void databaseDownThirtySecondsRecoversWithExactCounts() throws Exception {
        List<String> nodes = IntStream.range(0, 10).mapToObj(i -> "n" + i).toList();
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        List<NodeMetrics> all = Fixtures.events("outage", nodes, start, 60);
        URI db = URI.create(stack.jdbcUrl().substring("jdbc:".length()));
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8));
        MetricRegistry registry = new MetricRegistry();
        try (TcpProxy proxy = TcpProxy.start(db.getHost(), db.getPort());
             KafkaProducer<byte[], byte[]> producer = Fixtures.producer(stack);
             Connection c = stack.connect(stack.owner())) {
            Map<String, String> env = Fixtures.env(stack, proxy.rewrite(stack.jdbcUrl()));
            try (Sink sink = Sink.start(SinkConfig.fromEnv(env), topics, Fixtures.SERDES, registry)) {
                List<NodeMetrics> before = all.stream().filter(e -> e.getSeq() <= 20).toList();
                Fixtures.send(producer, before.stream().map(e -> Fixtures.valid(topics, e)).toList(), true);
                assertThat(Fixtures.await(Duration.ofSeconds(30), Fixtures.quietly(
                        () -> Fixtures.rows(c, Tables.NODE_EVENTS) == before.size()))).isTrue();

                proxy.cut();
                long outageEnd = System.nanoTime() + OUTAGE.toNanos();
                // events keep coming while the database is away, in many transactions
                for (long seq = 21; seq <= 60; seq++) {
                    long s = seq;
                    Fixtures.send(producer, all.stream().filter(e -> e.getSeq() == s)
                            .map(e -> Fixtures.valid(topics, e)).toList(), true);
                    Thread.sleep(OUTAGE.toMillis() / 60);
                }
                assertThat(Fixtures.await(Duration.ofSeconds(10), () -> !sink.readiness().ready()))
                        .as("not ready while the database is away").isTrue();
                assertThat(sink.readiness().detail().toString()).contains("database unavailable");
                while (System.nanoTime() < outageEnd) {
                    Thread.sleep(200);
                }
                assertThat(Fixtures.rows(c, Tables.NODE_EVENTS)).as("nothing written while cut off")
                        .isEqualTo(before.size());
                proxy.restore();

                Map<String, Long> expected = Fixtures.rowsFor(all.size());
                assertThat(Fixtures.awaitRowCounts(c, expected, Duration.ofSeconds(60)))
                        .as("every event stored once the database is back").isEqualTo(expected);
                assertThat(Fixtures.await(Duration.ofSeconds(10), () -> sink.readiness().ready())).isTrue();
                assertThat(registry.scrape()).contains("nodepulse_sink_duplicate_rows_total 0");
            }
        } finally {
            System.setErr(originalErr);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).containsPattern("retrying batch of \\d+ records \\(.*metrics\\.valid-\\d@\\d+\\.\\.\\d+.*\\) "
                + "after database unavailable \\(SQLState 08\\d\\d\\d: .*\\): attempt \\d+, next try in \\d+ ms");
        assertThat(log).contains("attempt 2,");
        assertThat(registry.scrape()).containsPattern("nodepulse_sink_retries_total\\{cause=\"08\\d\\d\\d\"} [1-9]");
    }
}
