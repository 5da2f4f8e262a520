package io.nodepulse.deploy;

import io.nodepulse.deploy.Images.App;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The image's Java runtime, built here as the Dockerfile's jlink stage builds it (same module list, same
 * stripping; no compression, which changes the size only) and cached under target/jlink by module list.
 */
final class JlinkRuntime {
    private JlinkRuntime() {
    }

    static synchronized Path of(App app) throws IOException, InterruptedException {
        List<String> modules = Images.modules(app);
        Path jdk = Repo.jdk();
        String key = hash(String.join(",", modules) + "|" + jdk.toRealPath());
        Path dir = Repo.target().resolve("jlink").resolve(app.image + "-" + key);
        if (Files.isExecutable(dir.resolve("bin/java"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Process p = new ProcessBuilder(jdk.resolve("bin/jlink").toString(), "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("jlink failed for " + app.modulesFile() + ":\n" + out);
        }
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** The image's java command line on this runtime: [@jvm.options] -cp jar:lib/* MAIN. */
    static List<String> command(Path runtime, App app, String mainClass, List<String> extraJvm, String... args) {
        if (!Files.isRegularFile(app.jar()) || !Files.isDirectory(app.lib())) {
            throw new IllegalStateException(app.jar() + " or " + app.lib() + " is missing: build the application "
                    + "first (mvn -pl " + app.module + " -am package -DskipTests), as the image's build stage does");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(runtime.resolve("bin/java").toString());
        if (Files.isRegularFile(app.jvmOptions())) {
            cmd.add("@" + app.jvmOptions());
        }
        cmd.addAll(extraJvm);
        cmd.add("-cp");
        cmd.add(app.jar() + ":" + app.lib() + "/*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to completion; returns exit code, stdout and stderr. */
    record Result(int exit, String out, String err) {
    }

    static Result run(List<String> cmd, Map<String, String> env, Path workDir) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 120 s: " + cmd + "\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
