package io.nodepulse.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A packaged nodepulse application as a child JVM, started the way {@code ./nodepulse} starts it:
 * {@code java @<module>/jvm.options <extra JVM flags> -cp <module>/target/<jar>:<module>/target/lib/* <main>}.
 * The jar and its lib directory are copied once per test JVM, so a rebuild of the module while tests run cannot
 * swap classes under a running process. The environment is exactly what the caller gives, plus PATH (the
 * applications reject {@code NODEPULSE_*} variables that are not theirs). Standard output and error go to a log
 * file.
 */
public final class AppProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Map<Path, Path> INSTALLED = new HashMap<>();

    private final String name;
    private final Process process;
    private final Path log;

    private AppProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * @param module  the module directory, e.g. {@code <repo>/agent}; its {@code jvm.options} is used if present
     * @param jar     the jar's file name in {@code target/}, e.g. {@code nodepulse-agent.jar}
     * @param jvmArgs flags after the argfile (they win), e.g. {@code -Xmx256m}
     * @param env     the whole environment besides PATH
     * @param log     where stdout and stderr go (appended)
     */
    public static AppProcess start(Path module, String jar, String mainClass, List<String> jvmArgs, List<String> args,
                                   Map<String, String> env, Path log) throws IOException {
        Path home = installed(module, jar);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path options = module.resolve("jvm.options");
        if (Files.isRegularFile(options)) {
            cmd.add("@" + options.toAbsolutePath());
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(home.resolve(jar) + File.pathSeparator + home.resolve("lib") + File.separator + "*");
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Files.createDirectories(log.toAbsolutePath().getParent());
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new AppProcess(mainClass.substring(mainClass.lastIndexOf('.') + 1), p, log);
    }

    private static synchronized Path installed(Path module, String jar) throws IOException {
        Path key = module.toAbsolutePath().normalize();
        Path done = INSTALLED.get(key);
        if (done != null) {
            return done;
        }
        Path target = key.resolve("target");
        if (!Files.isRegularFile(target.resolve(jar)) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException(target.resolve(jar) + " or " + target.resolve("lib") + " is missing: "
                    + "package the module first (mvn -B -q install -pl " + key.getFileName()
                    + " -DskipTests -DskipITs)");
        }
        Path dir = Files.createTempDirectory("nodepulse-" + key.getFileName() + "-");
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(target.resolve(jar), dir.resolve(jar));
        try (Stream<Path> files = Files.list(target.resolve("lib"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve("lib").resolve(f.getFileName()));
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        INSTALLED.put(key, dir);
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** A free TCP port on the loopback interface. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return log;
    }

    /** The log so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String tail(int lines) {
        String[] all = log().split("\n");
        StringBuilder sb = new StringBuilder("--- last lines of " + name + " log " + log + " ---\n");
        for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
            sb.append(all[i]).append('\n');
        }
        return sb.toString();
    }

    /** GET http://127.0.0.1:{port}{path}; null while nothing answers. */
    public static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The value of one sample in Prometheus text, e.g. {@code metric(text, "x_total{outcome=\"late\"}")}; -1 when
     * absent.
     */
    public static double metric(String text, String sample) {
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).strip());
            }
        }
        return -1;
    }

    /** Waits until GET path on the port answers 200; fails with the log's tail if the process exits first. */
    public void awaitHttpOk(int port, String path, Duration timeout) throws InterruptedException {
        await(() -> {
            HttpResponse<String> r = get(port, path);
            return r != null && r.statusCode() == 200;
        }, timeout, path + " on port " + port + " answering 200");
    }

    /** Polls {@code condition} every 200 ms; fails with the log's tail on timeout or if the process exits. */
    public void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        poll(condition, timeout, what, true);
    }

    /**
     * Polls {@code condition} every 200 ms whether or not the process still runs, for what it left behind (such
     * as records in Kafka after a SIGTERM); fails with the log's tail on timeout.
     */
    public void awaitEvenIfExited(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        poll(condition, timeout, what, false);
    }

    private void poll(BooleanSupplier condition, Duration timeout, String what, boolean mustRun)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (mustRun && !process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " while waiting for " + what
                        + "\n" + tail(80));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\n" + tail(80));
            }
            Thread.sleep(200);
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code. Fails (after a SIGKILL) when it does not stop within {@code timeout}. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM\n" + tail(80));
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns its exit code, or fails on timeout. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not end within " + timeout + "\n" + tail(80));
        }
        return process.exitValue();
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
