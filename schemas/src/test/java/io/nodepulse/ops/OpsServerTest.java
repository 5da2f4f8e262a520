package io.nodepulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(OpsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthReadinessWithDetailAndMetrics() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("np_things_total", "Things.").add(2);
        AtomicBoolean ready = new AtomicBoolean(false);
        try (OpsServer server = new OpsServer("127.0.0.1", 0, () -> true,
                () -> Readiness.of(ready.get(), "spool: " + (ready.get() ? "ok" : "over budget")), registry)) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(server, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("not ready", "spool: over budget");
            ready.set(true);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.body()).contains("np_things_total 2");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aFailingCheckAnswers500InsteadOfHanging() throws Exception {
        try (OpsServer server = new OpsServer("127.0.0.1", 0, () -> {
            throw new NoClassDefFoundError("gone");
        }, () -> {
            throw new IllegalStateException("broken");
        }, new MetricRegistry())) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(500);
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(500);
        }
    }
}
