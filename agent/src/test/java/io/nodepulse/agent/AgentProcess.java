package io.nodepulse.agent;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real agent (a copy of the packaged jar and its target/lib classpath, with agent/jvm.options) as a child
 * process, for integration tests: its environment is exactly what the test gives (plus PATH), its stderr goes to
 * a file.
 */
final class AgentProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int httpPort;

    private AgentProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    private static Path installed;

    /**
     * A copy of the packaged agent for this test JVM, so that a rebuild of the module while the tests run
     * cannot swap classes under a running agent.
     */
    private static synchronized Path installed() throws IOException {
        if (installed != null) {
            return installed;
        }
        Path jar = Path.of("target", "nodepulse-agent.jar").toAbsolutePath();
        Path lib = Path.of("target", "lib").toAbsolutePath();
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new IllegalStateException(jar + " or " + lib + " is missing: run the integration tests with "
                    + "'mvn verify', which packages the agent first");
        }
        Path dir = Files.createTempDirectory("nodepulse-agent-it-");
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(jar, dir.resolve("nodepulse-agent.jar"));
        try (var files = Files.list(lib)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve("lib").resolve(f.getFileName()));
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }));
        installed = dir;
        return dir;
    }

    static AgentProcess start(Map<String, String> env, Path log) throws IOException {
        Path home = installed();
        Path jar = home.resolve("nodepulse-agent.jar");
        Path lib = home.resolve("lib");
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("jvm.options").toAbsolutePath(), "-cp", jar + File.pathSeparator + lib + File.separator
                        + "*", "io.nodepulse.agent.Main"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().putAll(env);
        pb.environment().put("NODEPULSE_HTTP_PORT", Integer.toString(port));
        pb.environment().put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new AgentProcess(p, log, port);
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The /metrics text, or "" while the port does not answer. */
    String metrics() {
        HttpResponse<String> r = get("/metrics");
        return r != null && r.statusCode() == 200 ? r.body() : "";
    }

    /** A GET on the ops port; null while it does not answer. */
    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** One sample of the /metrics text, e.g. metric("nodepulse_agent_events_spooled_total"); -1 when absent. */
    double metric(String sample) {
        return metric(metrics(), sample);
    }

    static double metric(String text, String sample) {
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).strip());
            }
        }
        return -1;
    }

    /** SIGKILL. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the agent did not stop within " + timeout + " after SIGTERM; log:\n" + log());
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The "stopped after ..." summary numbers: collected, spooled, sent, re-sent, dropped. */
    long[] summary() {
        Matcher m = Pattern.compile("stopped after \\d+ ms: (\\d+) event\\(s\\) collected, (\\d+) spooled, (\\d+) "
                + "sent, (\\d+) re-sent, (\\d+) dropped").matcher(log());
        if (!m.find()) {
            throw new AssertionError("no shutdown summary in the agent's log:\n" + log());
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
            Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
    }

    /** Every (run, seq) the agent logged as re-sent. */
    List<String> resentKeys() {
        List<String> keys = new ArrayList<>();
        Matcher line = Pattern.compile("re-sending \\d+ event\\(s\\)[^:]*: (.*)").matcher(log());
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

    static void await(BooleanSupplier condition, Duration timeout, String what, AgentProcess agent)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what
                        + (agent != null ? "; agent log:\n" + agent.log() : ""));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
