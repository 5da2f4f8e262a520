package io.nodepulse.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * OSHI fixes its proc and sys paths when its classes load, so the only honest test is a fresh JVM: configured
 * with the host fixture, OSHI must describe the fixture's hardware (an Intel m5.xlarge with 4 logical CPUs and
 * 15.5 GiB), not this machine's.
 */
class OshiHostTest {
    @Test
    void oshiReadsTheHostPrefixNotTheContainersPaths() throws IOException, InterruptedException {
        Path fixture = Fixtures.dir("host");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", OshiProbe.class.getName(),
                fixture.resolve("proc").toString(), fixture.resolve("sys").toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> l.startsWith("describe: ") || l.startsWith("second: ")).toList();
        assertThat(lines).containsExactly(
                "describe: Amazon EC2 m5.xlarge: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz, 1 package, 2 cores, "
                        + "4 logical CPUs, 15.5 GiB",
                "second: OSHI already reads " + fixture.resolve("proc") + " and " + fixture.resolve("sys")
                        + " in this JVM");
    }
}
