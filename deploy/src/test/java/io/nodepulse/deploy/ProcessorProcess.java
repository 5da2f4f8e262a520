package io.nodepulse.deploy;

import io.nodepulse.deploy.Images.App;
import io.nodepulse.testkit.Stack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The processor, run on the image's jlink runtime against the test's Kafka prefix and database. */
final class ProcessorProcess implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;

    private ProcessorProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static ProcessorProcess start(Stack stack, Path work, Map<String, String> extra) throws Exception {
        Path runtime = JlinkRuntime.of(App.PROCESSOR);
        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Files.writeString(secrets.resolve("writer"), stack.writer().password());
        Files.writeString(secrets.resolve("owner"), stack.owner().password());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("NODEPULSE_TOPIC_PREFIX", stack.topicPrefix());
        env.put("NODEPULSE_CREATE_TOPICS", "true");
        env.put("NODEPULSE_APPLICATION_ID", "deploy-" + Long.toHexString(System.nanoTime()));
        env.put("NODEPULSE_SINK_GROUP_ID", "deploy-sink-" + Long.toHexString(System.nanoTime()));
        env.put("NODEPULSE_JDBC_URL", stack.jdbcUrl());
        env.put("NODEPULSE_DB_WRITER_USER", stack.writer().user());
        env.put("NODEPULSE_DB_WRITER_PASSWORD_FILE", secrets.resolve("writer").toString());
        env.put("NODEPULSE_DB_OWNER_USER", stack.owner().user());
        env.put("NODEPULSE_DB_OWNER_PASSWORD_FILE", secrets.resolve("owner").toString());
        env.put("NODEPULSE_DB_READER_USER", stack.reader().user());
        env.put("NODEPULSE_STATE_DIR", Files.createDirectories(work.resolve("state")).toString());
        env.put("NODEPULSE_HTTP_HOST", "127.0.0.1");
        env.put("NODEPULSE_HTTP_PORT", Integer.toString(port));
        env.putAll(extra);
        Path log = work.resolve("processor.log");
        List<String> cmd = JlinkRuntime.command(runtime, App.PROCESSOR, "io.nodepulse.processor.Main",
                List.of("-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")), "-Xms64m"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ProcessorProcess(pb.start(), port, log);
    }

    /** Waits until GET path answers 200; fails with the log if the process exits or the deadline passes. */
    void awaitOk(String path, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the processor exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(path + " did not answer 200 within " + timeout + " (last " + last + "):\n" + tail());
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** SIGTERM, then waits for a clean exit. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the processor did not stop within 90 s of SIGTERM:\n" + tail());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
