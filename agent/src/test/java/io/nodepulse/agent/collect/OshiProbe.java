package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.sys.OshiHost;
import java.nio.file.Path;

/** Run in a fresh JVM by {@link OshiHostTest}: points OSHI at the given paths and prints what it reads. */
public final class OshiProbe {
    private OshiProbe() {
    }

    public static void main(String[] args) {
        String problem = OshiHost.configure(Path.of(args[0]), Path.of(args[1]));
        System.out.println(problem != null ? "problem: " + problem : "describe: " + OshiHost.describe());
        System.out.println("second: " + OshiHost.configure(Path.of("/proc"), Path.of("/sys")));
    }
}
