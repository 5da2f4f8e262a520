package io.nodepulse.agent.collect;

import io.nodepulse.agent.collect.parse.Timex;
import io.nodepulse.agent.collect.sys.Device;
import io.nodepulse.agent.collect.sys.FsStat;
import io.nodepulse.agent.collect.sys.StatFs;
import io.nodepulse.agent.collect.sys.TimexSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/** Fixture trees under test resources {@code fixtures/<name>}: proc, sys, root, statvfs.tsv and timex.tsv. */
final class Fixtures {
    private Fixtures() {
    }

    /** The fixture directory on the test classpath. */
    static Path dir(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy of fixture {@code name} under {@code target}. */
    static Path copy(String name, Path target) {
        copyTree(dir(name), target);
        return target;
    }

    /**
     * Copies every file of {@code from} over {@code to} (an overlay: files not in {@code from} stay). Existing
     * files are rewritten in place, as the kernel's files change, so that open handles see the new content.
     */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.write(dest, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CollectSettings settings(Path tree) {
        return CollectSettings.forHostRoot(tree.resolve("proc"), tree.resolve("sys"), tree.resolve("root"));
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the first occurrence of {@code from} in a fixture file; fails when it is not there. */
    static void edit(Path file, String from, String to) {
        String text = read(file);
        if (!text.contains(from)) {
            throw new IllegalArgumentException(file + " does not contain '" + from + "'");
        }
        write(file, text.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
    }

    /** A collector over a fixture tree, with fake statvfs and adjtimex results from the tree's tsv files. */
    static NodeCollector collector(CollectSettings settings, Path tree, LongSupplier clock) {
        return new NodeCollector(settings, statFs(tree), timex(tree), clock, () -> null);
    }

    /** statvfs results and devices keyed by the mount point as the host sees it, from {@code statvfs.tsv}. */
    static FakeStatFs statFs(Path tree) {
        Path root = tree.resolve("root");
        Map<String, FsStat> stats = new HashMap<>();
        Map<String, Device> devices = new HashMap<>();
        for (String line : read(tree.resolve("statvfs.tsv")).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            String[] dev = f[8].split(":");
            stats.put(f[0], new FsStat(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Boolean.parseBoolean(f[7])));
            devices.put(f[0], new Device(Integer.parseInt(dev[0]), Integer.parseInt(dev[1])));
        }
        return new FakeStatFs(root, stats, devices);
    }

    /** Fake statvfs and stat results by host mount point; tests may change them. */
    static final class FakeStatFs implements StatFs {
        final Path root;
        final Map<String, FsStat> stats;
        final Map<String, Device> devices;
        final Map<String, IOException> failures = new HashMap<>();

        FakeStatFs(Path root, Map<String, FsStat> stats, Map<String, Device> devices) {
            this.root = root;
            this.stats = stats;
            this.devices = devices;
        }

        private String mount(Path path) {
            return "/" + root.relativize(path);
        }

        @Override
        public FsStat stat(Path path) throws IOException {
            String mount = mount(path);
            if (failures.containsKey(mount) || failures.containsKey("*")) {
                throw failures.getOrDefault(mount, failures.get("*"));
            }
            FsStat s = stats.get(mount);
            if (s == null) {
                throw new IOException("statvfs " + path + ": ENOENT (no such file or directory)");
            }
            return s;
        }

        @Override
        public Device device(Path path) {
            return devices.get(mount(path));
        }
    }

    /** The adjtimex reading in {@code timex.tsv}. */
    static TimexSource timex(Path tree) {
        for (String line : read(tree.resolve("timex.tsv")).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            Timex t = new Timex(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]));
            return () -> t;
        }
        throw new IllegalArgumentException("no reading in timex.tsv");
    }

    /** A monotonic clock that moves only when told. */
    static final class ManualClock implements LongSupplier {
        private long nanos = 1_000_000_000_000L;

        @Override
        public long getAsLong() {
            return nanos;
        }

        void advanceSeconds(double seconds) {
            nanos += (long) (seconds * 1e9);
        }
    }
}
