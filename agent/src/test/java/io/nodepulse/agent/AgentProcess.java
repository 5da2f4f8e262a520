package io.nodepulse.agent;

import io.nodepulse.testkit.AppProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged agent ({@code target/nodepulse-agent.jar} with {@code jvm.options}) as a child process for
 * integration tests, its ops port on a free loopback port: what the agent shows of itself (metrics, health, the
 * shutdown summary and the re-sends it logs). The process itself (log, waits, signals) is {@link #app()}.
 */
final class AgentProcess implements AutoCloseable {
    private final AppProcess app;
    private final int httpPort;

    private AgentProcess(AppProcess app, int httpPort) {
        this.app = app;
        this.httpPort = httpPort;
    }

    /** Starts the agent with exactly {@code env} (plus PATH and its ops port); stdout and stderr go to {@code log}. */
    static AgentProcess start(Map<String, String> env, Path log) throws IOException {
        int port = AppProcess.freePort();
        Map<String, String> all = new HashMap<>(env);
        all.put("NODEPULSE_HTTP_PORT", Integer.toString(port));
        all.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        return new AgentProcess(AppProcess.start(Path.of("").toAbsolutePath(), "nodepulse-agent.jar",
                "io.nodepulse.agent.Main", List.of(), List.of(), all, log), port);
    }

    /** Environment for this host's /proc, /sys and / (no host prefix). */
    static Map<String, String> hostEnv(String node, Path spoolDir, String topicPrefix, String bootstrap) {
        Map<String, String> env = new HashMap<>();
        env.put("NODE_NAME", node);
        env.put("NODEPULSE_HOST_PROC", "/proc");
        env.put("NODEPULSE_HOST_SYS", "/sys");
        env.put("NODEPULSE_HOST_ROOT", "/");
        env.put("NODEPULSE_SPOOL_DIR", spoolDir.toString());
        env.put("NODEPULSE_TOPIC_PREFIX", topicPrefix);
        env.put("NODEPULSE_INTERVAL", "1s");
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        return env;
    }

    /** A fresh log file under target/it-logs, kept after the test for a look. */
    static Path logFile(String name) throws IOException {
        Path dir = Path.of("target", "it-logs").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".log");
        Files.deleteIfExists(file);
        return file;
    }

    /** The agent's process: its log, waits on it, signals. */
    AppProcess app() {
        return app;
    }

    /** The /metrics text, or "" while the port does not answer. */
    String metrics() {
        HttpResponse<String> r = get("/metrics");
        return r != null && r.statusCode() == 200 ? r.body() : "";
    }

    /** A GET on the ops port; null while it does not answer. */
    HttpResponse<String> get(String path) {
        return AppProcess.get(httpPort, path);
    }

    /** One sample of the /metrics text, e.g. metric("nodepulse_agent_events_spooled_total"); -1 when absent. */
    double metric(String sample) {
        return AppProcess.metric(metrics(), sample);
    }

    /** The "stopped after ..." summary numbers: collected, spooled, sent, re-sent, dropped. */
    long[] summary() {
        String log = app.log();
        Matcher m = Pattern.compile("stopped after \\d+ ms: (\\d+) event\\(s\\) collected, (\\d+) spooled, (\\d+) "
                + "sent, (\\d+) re-sent, (\\d+) dropped").matcher(log);
        if (!m.find()) {
            throw new AssertionError("no shutdown summary in the agent's log:\n" + log);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
            Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
    }

    /** Every (run, seq) the agent logged as re-sent. */
    List<String> resentKeys() {
        List<String> keys = new ArrayList<>();
        Matcher line = Pattern.compile("re-sending \\d+ event\\(s\\)[^:]*: (.*)").matcher(app.log());
        Pattern range = Pattern.compile("run ([0-9a-f-]{36}) seq (\\d+)\\.\\.(\\d+)");
        while (line.find()) {
            Matcher r = range.matcher(line.group(1));
            while (r.find()) {
                for (long s = Long.parseLong(r.group(2)); s <= Long.parseLong(r.group(3)); s++) {
                    keys.add(r.group(1) + "/" + s);
                }
            }
        }
        return keys;
    }

    @Override
    public void close() {
        app.close();
    }
}
