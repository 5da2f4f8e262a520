package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./nodepulse} and {@code deploy/local/stack.sh}, run from a copy of their layout in a
 * temporary directory. Nothing real is started or stopped: the copied stack.sh has its up, down and status
 * replaced by stubs that only record the call, {@code java} on the PATH is a stand-in that runs until SIGTERM,
 * and the stack's psql is a stand-in too. The stack directory (NODEPULSE_HOME) is temporary.
 */
class LauncherTest {
    @TempDir
    Path dir;
    private Path root;
    private Path home;
    private Path bin;
    private Path calls;
    private final List<Process> started = new ArrayList<>();

    /** What a command printed and how it exited. */
    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void layout() throws IOException {
        root = dir.resolve("repo");
        home = dir.resolve("home");
        bin = dir.resolve("bin");
        calls = home.resolve("calls");
        Path real = Repo.root();
        Files.createDirectories(root.resolve("deploy/local"));
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("secrets"));
        Files.createDirectories(bin);
        Files.writeString(calls, "");
        copy(real.resolve("nodepulse"), root.resolve("nodepulse"));
        copy(real.resolve("deploy/local/progress.sh"), root.resolve("deploy/local/progress.sh"));
        String stack = Files.readString(real.resolve("deploy/local/stack.sh"));
        String main = "\nmain \"$@\"\n";
        assertThat(stack).as("stack.sh ends by calling main").endsWith(main);
        script(root.resolve("deploy/local/stack.sh"), stack.substring(0, stack.length() - main.length()) + """

                # test stubs: the call is recorded, nothing is installed, started or stopped
                cmd_up() { echo "stack up" >>"$NP_HOME/calls"; }
                cmd_down() { echo "stack down" >>"$NP_HOME/calls"; }
                cmd_status() { [[ -e $NP_HOME/stack-running ]]; }
                """ + main);
        for (String module : List.of("agent", "stream-processor")) {
            Files.createDirectories(root.resolve(module + "/target/lib"));
            Files.writeString(root.resolve(module + "/target/nodepulse-" + module + ".jar"), "");
        }
        // a simulator given --bad-flag stops at once as on a flag error; any other runs until SIGTERM
        script(bin.resolve("java"), """
                #!/usr/bin/env bash
                calls=%s
                for a in "$@"; do
                  [[ $a == --bad-flag ]] && { echo "java $$ usage error" >>"$calls"; exit 2; }
                done
                trap 'echo "java $$ stopped" >>"$calls"; kill $child 2>/dev/null; exit 0' TERM
                sleep 120 &
                child=$!
                echo "java $$ running" >>"$calls"
                wait $child
                """.formatted(calls));
        // the reader's psql: the connection check answers, every other query fails
        script(home.resolve("bin/psql"), """
                #!/usr/bin/env bash
                for a in "$@"; do [[ $a == "SELECT 1" ]] && { echo 1; exit 0; }; done
                echo "ERROR:  relation does not exist" >&2
                exit 1
                """);
        Files.writeString(home.resolve("secrets/nodepulse_reader.password"), "x\n");
    }

    @AfterEach
    void stopStarted() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void usageErrorsExitWithTwoAndFailuresAtRunTimeWithOne() throws Exception {
        assertThat(run("no-such-command").code()).isEqualTo(2);
        assertThat(run("build", "extra").code()).isEqualTo(2);
        Result limit = run("top", "--limit", "many");
        assertThat(limit.code()).isEqualTo(2);
        assertThat(limit.err()).contains("--limit");
        // the stack is not running
        Result processor = run("processor");
        assertThat(processor.code()).isEqualTo(1);
        assertThat(processor.err()).contains("the local stack is not running");
        stackRunning();
        Result top = run("top", "--once");
        assertThat(top.err()).contains("the query failed");
        assertThat(top.code()).isEqualTo(1);
    }

    @Test
    void aSimulateThatStopsAtItsFlagsLeavesTheRunningSimulatorsToStatusAndDown() throws Exception {
        stackRunning();
        Process first = start("simulate", "--nodes", "5");
        awaitRunning(first);
        Process second = start("simulate", "--nodes", "7", "--cluster", "other");
        awaitRunning(second);
        Result bad = run("simulate", "--nodes", "5", "--bad-flag");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(run("status").out()).containsPattern("\\[simulator] +running \\(pid " + first.pid() + "\\)")
                .containsPattern("\\[simulator] +running \\(pid " + second.pid() + "\\)");
        assertThat(run("down").code()).isZero();
        assertThat(calls()).as("each simulator is stopped before the stack")
                .containsSubsequence("java " + first.pid() + " stopped", "stack down")
                .containsSubsequence("java " + second.pid() + " stopped", "stack down");
        assertThat(Files.list(home.resolve("run")).map(f -> f.getFileName().toString()))
                .noneMatch(f -> f.startsWith("simulator"));
    }

    @Test
    void stackCommandsPrintTheHelpForHelpAndRefuseOtherArguments() throws Exception {
        for (String cmd : List.of("up", "down", "status", "env")) {
            for (String help : List.of("--help", "-h")) {
                Result r = run("stack", cmd, help);
                assertThat(r.code()).as("stack %s %s", cmd, help).isZero();
                assertThat(r.out()).as("stack %s %s", cmd, help).contains("usage: stack.sh COMMAND");
            }
        }
        Result bad = run("stack", "up", "--bogus", "extra");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("'up' takes no arguments (got: --bogus extra)");
        assertThat(calls()).as("nothing was started or stopped").isEmpty();
        assertThat(run("stack", "down").code()).isZero();
        assertThat(calls()).containsExactly("stack down");
    }

    /** Waits until the stand-in JVM that the launcher process became says it runs. */
    private void awaitRunning(Process p) throws IOException, InterruptedException {
        String running = "java " + p.pid() + " running";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!calls().contains(running)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("./nodepulse simulate (pid " + p.pid() + ") did not start its JVM; "
                        + "recorded: " + calls());
            }
            Thread.sleep(20);
        }
    }

    private void stackRunning() throws IOException {
        Files.writeString(home.resolve("stack-running"), "");
    }

    private Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = launcher(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./nodepulse " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Starts a command in the background; it is stopped after the test if it still runs. */
    private Process start(String... args) throws IOException {
        Path log = Files.createTempFile(dir, "log", ".txt");
        Process p = launcher(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    private ProcessBuilder launcher(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("nodepulse").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_"));
        pb.environment().put("NODEPULSE_HOME", home.toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        return pb;
    }

    /** The lines the stubs and stand-ins recorded, in order. */
    private List<String> calls() throws IOException {
        return Files.readAllLines(calls);
    }

    private static void copy(Path from, Path to) throws IOException {
        script(to, Files.readString(from));
    }

    private static void script(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
