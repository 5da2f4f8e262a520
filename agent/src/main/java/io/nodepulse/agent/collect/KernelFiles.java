package io.nodepulse.agent.collect;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads small kernel files (procfs, sysfs, cgroupfs) and lists directories: the I/O edge of collection.
 *
 * <p>Kernel files regenerate their content on every read from offset 0. A collector holds a {@link Handle}
 * per file it reads every cycle; the file stays open and is read again with pread(2) at offset 0, one system
 * call instead of open, read and close, which costs several times less (see BENCHMARKS.md). A handle not read
 * during a cycle (a pod, disk or zone that went away) is closed at {@link #sweep()}, so no open file keeps a
 * removed cgroup alive. A handle whose read fails (ENODEV after its cgroup was removed and created again) is
 * reopened once. At most {@code maxOpen} files stay open; beyond that, files are opened for each read.
 * Not thread-safe: one instance per collecting thread.
 */
final class KernelFiles implements Closeable {
    /** Larger files are refused; the largest expected is mountinfo on a busy node (hundreds of KiB). */
    static final int MAX_BYTES = 4 << 20;
    static final int DEFAULT_MAX_OPEN = 2048;

    /** One file a collector reads again and again. */
    static final class Handle {
        final Path path;
        private FileChannel channel;
        private long pass;

        Handle(Path path) {
            this.path = path;
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    private final int maxOpen;
    private final List<Handle> open = new ArrayList<>();
    private final Map<Path, Handle> shared = new HashMap<>();
    private long pass;
    private ByteBuffer direct = ByteBuffer.allocateDirect(64 << 10);
    private byte[] heap = new byte[64 << 10];

    KernelFiles() {
        this(DEFAULT_MAX_OPEN);
    }

    /** @param maxOpen how many files may stay open between reads; 0 opens and closes every time */
    KernelFiles(int maxOpen) {
        this.maxOpen = maxOpen;
    }

    /**
     * The handle for a file that collectors read every cycle; collectors asking for the same path share one
     * handle, so that a cycle reads the file once.
     */
    Handle handle(Path path) {
        return shared.computeIfAbsent(path, Handle::new);
    }

    /** The whole file as ISO-8859-1 text (kernel files are ASCII). */
    String read(Handle h) throws IOException {
        if (h.channel != null) {
            try {
                String text = contents(h.channel, h.path);
                h.pass = pass;
                return text;
            } catch (IOException e) {
                closeQuietly(h.channel);
                h.channel = null;
                open.remove(h);
            }
        }
        FileChannel ch = FileChannel.open(h.path, StandardOpenOption.READ);
        try {
            String text = contents(ch, h.path);
            if (open.size() < maxOpen) {
                h.channel = ch;
                h.pass = pass;
                open.add(h);
                ch = null;
            }
            return text;
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** Reads a file without keeping it open. */
    String read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return contents(ch, path);
        }
    }

    private String contents(FileChannel ch, Path path) throws IOException {
        direct.clear();
        long pos = 0;
        while (true) {
            if (!direct.hasRemaining()) {
                if (direct.capacity() >= MAX_BYTES) {
                    throw new IOException(path + " is larger than " + MAX_BYTES + " bytes");
                }
                ByteBuffer bigger = ByteBuffer.allocateDirect(direct.capacity() * 2);
                direct.flip();
                bigger.put(direct);
                direct = bigger;
            }
            // A short read is not the end: seq_file returns about a page per read. Read until EOF.
            int r = ch.read(direct, pos);
            if (r <= 0) {
                break;
            }
            pos += r;
        }
        direct.flip();
        int n = direct.remaining();
        if (heap.length < n) {
            heap = new byte[direct.capacity()];
        }
        direct.get(heap, 0, n);
        return new String(heap, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Closes the files not read since the previous sweep; called at the end of every cycle. */
    void sweep() {
        int kept = 0;
        for (int i = 0; i < open.size(); i++) {
            Handle h = open.get(i);
            if (h.pass == pass) {
                open.set(kept++, h);
            } else {
                closeQuietly(h.channel);
                h.channel = null;
            }
        }
        open.subList(kept, open.size()).clear();
        pass++;
    }

    int openFiles() {
        return open.size();
    }

    /** The names in a directory, in no particular order. */
    String[] list(Path dir) throws IOException {
        File f = new File(dir.toString());
        String[] names = f.list();
        if (names == null) {
            if (!f.exists()) {
                throw new NoSuchFileException(dir.toString());
            }
            if (!f.isDirectory()) {
                throw new NotDirectoryException(dir.toString());
            }
            throw new IOException("cannot list " + dir);
        }
        return names;
    }

    boolean exists(Path path) {
        return new File(path.toString()).exists();
    }

    boolean isDirectory(Path path) {
        return new File(path.toString()).isDirectory();
    }

    @Override
    public void close() {
        for (Handle h : open) {
            closeQuietly(h.channel);
            h.channel = null;
        }
        open.clear();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Closing a read-only kernel file cannot lose data.
        }
    }
}
