package io.nodepulse.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The images' build files: module lists, Dockerfiles, the launcher they imitate. */
final class Images {
    /** An application as the launcher and its image know it. */
    enum App {
        AGENT("agent", "agent", "nodepulse-agent"),
        PROCESSOR("processor", "stream-processor", "nodepulse-stream-processor");

        final String image;
        final String module;
        final String artifact;

        App(String image, String module, String artifact) {
            this.image = image;
            this.module = module;
            this.artifact = artifact;
        }

        Path dockerfile() {
            return Repo.deploy().resolve("docker/" + image + ".Dockerfile");
        }

        Path modulesFile() {
            return Repo.deploy().resolve("docker/" + image + ".modules");
        }

        /** The module's jvm.options, if it has one (the launcher passes it as @argfile then). */
        Path jvmOptions() {
            return Repo.root().resolve(module + "/jvm.options");
        }

        Path jar() {
            return Repo.root().resolve(module + "/target/" + artifact + ".jar");
        }

        Path lib() {
            return Repo.root().resolve(module + "/target/lib");
        }
    }

    private Images() {
    }

    /** The jlink module list: one module per line, # comments and blank lines ignored (as the Dockerfile's grep). */
    static List<String> modules(App app) {
        return lines(app.modulesFile()).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** The JSON-array ENTRYPOINT of the Dockerfile's last stage. */
    static List<String> entrypoint(App app) {
        List<String> lines = lines(app.dockerfile());
        String last = null;
        for (String l : lines) {
            if (l.startsWith("ENTRYPOINT ")) {
                last = l.substring("ENTRYPOINT ".length());
            }
        }
        if (last == null) {
            throw new AssertionError(app.dockerfile() + " has no ENTRYPOINT");
        }
        try {
            return Arrays.asList(new ObjectMapper().readValue(last, String[].class));
        } catch (IOException e) {
            throw new AssertionError(app.dockerfile() + ": ENTRYPOINT is not a JSON array: " + last, e);
        }
    }

    /**
     * The java command line {@code ./nodepulse IMAGE} runs, as the launcher prints it with
     * NODEPULSE_PRINT_COMMAND set, with its repository paths replaced by the image's: the jvm.options argfile
     * becomes /opt/nodepulse/jvm.options, the jar and lib/ become /opt/nodepulse/app.jar and /opt/nodepulse/lib.
     */
    static List<String> launcherCommand(App app) {
        Path root = Repo.root();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("nodepulse").toString(), app.image)
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_"));
        pb.environment().put("NODEPULSE_PRINT_COMMAND", "1");
        pb.environment().put("NODEPULSE_HOME", root.resolve(app.module + "/target/print-command-home").toString());
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError("./nodepulse " + app.image + " with NODEPULSE_PRINT_COMMAND failed:\n" + out);
            }
            String jvmOptions = "@" + app.jvmOptions();
            String classpath = app.jar() + ":" + app.lib() + "/*";
            return out.lines().map(l -> l.equals(jvmOptions) ? "@/opt/nodepulse/jvm.options"
                    : l.equals(classpath) ? "/opt/nodepulse/app.jar:/opt/nodepulse/lib/*" : l).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
