package io.nodepulse.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository and in this module's build directory. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        String p = System.getProperty("nodepulse.repo");
        Path root = p != null ? Path.of(p) : Path.of("..");
        root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("nodepulse"))) {
            throw new IllegalStateException("repository root not found at " + root
                    + " (set -Dnodepulse.repo=<repo>)");
        }
        return root;
    }

    static Path deploy() {
        return root().resolve("deploy");
    }

    static Path k8s() {
        return deploy().resolve("k8s");
    }

    static Path target() {
        String p = System.getProperty("nodepulse.target");
        return (p != null ? Path.of(p) : deploy().resolve("target")).toAbsolutePath().normalize();
    }

    /** The JDK whose jlink builds the images' runtime: {@code -Dnodepulse.jdk}, else the one running the tests. */
    static Path jdk() {
        String p = System.getProperty("nodepulse.jdk");
        Path jdk = Path.of(p == null || p.isBlank() ? System.getProperty("java.home") : p);
        if (!Files.isExecutable(jdk.resolve("bin/jlink")) || !Files.isDirectory(jdk.resolve("jmods"))) {
            throw new IllegalStateException("no JDK with jlink and jmods at " + jdk + ": install Debian's "
                    + "default-jdk-headless (OpenJDK 17 on Debian 12, 21 on Debian 13) or pass "
                    + "-Dnodepulse.jdk=<home of a JDK 17 to 23 with jmods>");
        }
        return jdk;
    }

    /** Required environment variable, with what to do when it is missing. */
    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: run eval \"$(deploy/local/stack.sh env)\" first "
                    + "(the local stack provides it)");
        }
        return v;
    }
}
