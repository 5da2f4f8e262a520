package io.nodepulse.agent.collect;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One collection cycle: the files read in it (a file that several collectors need, such as /proc/stat, is
 * read and parsed once) and the monotonic time of each reading, from which rates are computed.
 */
final class Cycle {
    /** A file's text and the monotonic time it was read at. */
    record Reading(String text, long nanos) {
    }

    private final KernelFiles files;
    private final LongSupplier nanoTime;
    private final Map<KernelFiles.Handle, Reading> readings = new IdentityHashMap<>();
    private final Map<KernelFiles.Handle, Object> parsed = new IdentityHashMap<>();

    Cycle(KernelFiles files, LongSupplier nanoTime) {
        this.files = files;
        this.nanoTime = nanoTime;
    }

    /** The file's text, read at most once per cycle. */
    Reading read(KernelFiles.Handle file) throws IOException {
        Reading r = readings.get(file);
        if (r == null) {
            String text = files.read(file);
            r = new Reading(text, nanoTime.getAsLong());
            readings.put(file, r);
        }
        return r;
    }

    String text(KernelFiles.Handle file) throws IOException {
        return read(file).text();
    }

    /** The file parsed by {@code parser}, parsed at most once per cycle (one parser per file). */
    <T> T parse(KernelFiles.Handle file, Class<T> type, Function<String, T> parser) throws IOException {
        Object v = parsed.get(file);
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        T t = parser.apply(text(file));
        parsed.put(file, t);
        return t;
    }

    /** Reads without the per-cycle cache, for files only one collector reads (per-pod and per-zone files). */
    String readOnce(KernelFiles.Handle file) throws IOException {
        return files.read(file);
    }

    /** Reads a file once, without keeping it open (a value read once, such as a thermal zone's type). */
    String readFile(Path path) throws IOException {
        return files.read(path);
    }

    String[] list(Path dir) throws IOException {
        return files.list(dir);
    }

    boolean exists(Path path) {
        return files.exists(path);
    }

    boolean isDirectory(Path path) {
        return files.isDirectory(path);
    }

    /** Monotonic nanoseconds now. */
    long now() {
        return nanoTime.getAsLong();
    }
}
