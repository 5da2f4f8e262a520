package io.nodepulse.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    static Map<String, String> env(Path spool) {
        Map<String, String> env = new HashMap<>();
        env.put("NODEPULSE_HOST_PROC", "/proc");
        env.put("NODEPULSE_HOST_SYS", "/sys");
        env.put("NODEPULSE_HOST_ROOT", "/");
        env.put("NODE_NAME", "node-a");
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka.invalid:9092");
        env.put("NODEPULSE_SPOOL_DIR", spool.toString());
        return env;
    }

    /** The exit status, with what was written to stderr meanwhile. */
    private record Outcome(int status, String err) {
    }

    private Outcome run(Main.Agent agent, String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return new Outcome(Main.run(args, env(tmp.resolve("spool")), agent),
                    captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void aStartUpFailureOfAnyKindIsAnExitStatusWithItsCauseNotAnEscapingException() {
        Outcome parse = run(config -> {
            throw new Main.StartFailed(new NumberFormatException("For input string: \" 65536\""));
        });
        assertThat(parse.status()).isEqualTo(1);
        assertThat(parse.err()).contains("cannot start: java.lang.NumberFormatException: For input string: \" 65536\"");

        Outcome linkage = run(config -> {
            throw new Main.StartFailed(new UnsatisfiedLinkError("no jnidispatch in java.library.path"));
        });
        assertThat(linkage.status()).isEqualTo(1);
        assertThat(linkage.err()).contains("cannot start: java.lang.UnsatisfiedLinkError");

        Outcome io = run(config -> {
            throw new IOException("spool directory /x is locked by another agent");
        });
        assertThat(io.status()).isEqualTo(Main.EXIT_IO);
        assertThat(io.err()).contains("cannot start: spool directory /x is locked by another agent");

        Outcome running = run(config -> {
            throw new IllegalStateException("a bug");
        });
        assertThat(running.status()).isEqualTo(1);
        assertThat(running.err()).contains("collection stopped unexpectedly: java.lang.IllegalStateException: a bug");
    }

    @Test
    void badArgumentsAndConfigurationHaveTheirOwnStatus() {
        assertThat(run(config -> { }, "--bogus").status()).isEqualTo(Main.EXIT_USAGE);
        Path notAbsolute = Path.of("relative");
        PrintStream err = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            Map<String, String> env = env(tmp);
            env.put("NODEPULSE_SPOOL_DIR", notAbsolute.toString());
            assertThat(Main.run(new String[0], env, config -> { })).isEqualTo(Main.EXIT_CONFIG);
        } finally {
            System.setErr(err);
        }
    }

    @Test
    @Timeout(120)
    void aFailedStartEndsTheJvmThoughTheOpsPortsThreadIsStillRunning() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = tmp.resolve("child.log");
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                FailedStartProcess.class.getName(), tmp.resolve("spool").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = child.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        assertThat(ended).as("the JVM ended; its output:\n%s", output).isTrue();
        assertThat(child.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("serving /healthz").contains("cannot start: java.lang.NumberFormatException");
    }
}
