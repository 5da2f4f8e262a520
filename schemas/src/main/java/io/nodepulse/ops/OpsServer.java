package io.nodepulse.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /healthz} (the process is alive), {@code /readyz} (it can do its job, with detail lines) and
 * {@code /metrics} (Prometheus text) on one port, with one small thread.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    public OpsServer(String host, int port, BooleanSupplier live, Supplier<Readiness> ready,
                     MetricRegistry metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/healthz", ex -> guarded(ex, () -> {
            boolean ok = live.getAsBoolean();
            respond(ex, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not live\n");
        }));
        server.createContext("/readyz", ex -> guarded(ex, () -> {
            Readiness r = ready.get();
            respond(ex, r.ready() ? 200 : 503, "text/plain",
                    (r.ready() ? "ready\n" : "not ready\n") + String.join("\n", r.detail()) + "\n");
        }));
        server.createContext("/metrics", ex -> guarded(ex, () -> respond(ex, 200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())));
        server.createContext("/", ex -> respond(ex, 404, "text/plain", "try /healthz, /readyz or /metrics\n"));
        server.start();
        log.info("serving /healthz, /readyz and /metrics on {}:{}", host, port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private interface Handler {
        void handle() throws IOException;
    }

    /** Any failure of a check, even an Error, answers 500 instead of leaving the client hanging. */
    private static void guarded(HttpExchange ex, Handler handler) throws IOException {
        try {
            handler.handle();
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            log.warn("ops endpoint {} failed", ex.getRequestURI(), t);
            try (ex) {
                ex.sendResponseHeaders(500, -1);
            } catch (IOException | RuntimeException ignored) {
                // the exchange may already be half-written; closing it is all that is left
            }
            if (t instanceof VirtualMachineError vme) {
                throw vme;
            }
        }
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
