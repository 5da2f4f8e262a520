package io.nodepulse.agent;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.ops.OpsServer;
import io.nodepulse.ops.Readiness;
import java.nio.file.Path;

/**
 * For {@link MainTest}: a JVM whose agent fails to start after its ops port is up (a non-daemon thread) and that
 * ends the way {@link Main#main} does.
 */
final class FailedStartProcess {
    private FailedStartProcess() {
    }

    public static void main(String[] args) {
        Main.exit(Main.run(new String[0], MainTest.env(Path.of(args[0])), config -> {
            new OpsServer("127.0.0.1", 0, () -> true, () -> Readiness.of(true), new MetricRegistry());
            throw new Main.StartFailed(new NumberFormatException("For input string: \" 65536\""));
        }));
    }
}
