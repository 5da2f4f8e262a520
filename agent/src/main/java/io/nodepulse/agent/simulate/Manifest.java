package io.nodepulse.agent.simulate;

import io.nodepulse.schema.NodeMetrics;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A record of every event the simulator appended to the spool, one tab-separated line each, after a header:
 * {@code node, run_id, seq, event_time (ISO-8601), kind (SAMPLE|SHUTDOWN), delivery (SENT|DUPLICATE|LATE|HELD)}.
 * Each distinct (node, run_id, seq) is one event; DUPLICATE lines repeat an event. Reconcile it with
 * {@code nodepulse.node_events}: every distinct (node, run_id, seq) should be there exactly once.
 */
public final class Manifest implements Fleet.Listener, Closeable {
    public static final String HEADER = "node\trun_id\tseq\tevent_time\tkind\tdelivery";

    /** One line of the manifest. */
    public record Entry(String node, String runId, long seq, Instant eventTime, String kind,
                        Fleet.Delivery delivery) {
    }

    private final Path file;
    private final BufferedWriter out;

    private Manifest(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(HEADER);
        out.newLine();
    }

    /** Creates (or replaces) the manifest file. */
    public static Manifest create(Path file) throws IOException {
        return new Manifest(file);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void appended(NodeMetrics e, Fleet.Delivery delivery) {
        try {
            out.write(e.getNode());
            out.write('\t');
            out.write(e.getRunId());
            out.write('\t');
            out.write(Long.toString(e.getSeq()));
            out.write('\t');
            out.write(e.getEventTime().toString());
            out.write('\t');
            out.write(e.getKind().name());
            out.write('\t');
            out.write(delivery.name());
            out.newLine();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the manifest " + file + ": " + ex.getMessage(), ex);
        }
    }

    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** Reads a manifest written by {@link #create}. */
    public static List<Entry> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + " is not a simulator manifest (no header line '" + HEADER + "')");
        }
        List<Entry> out = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            if (f.length != 6) {
                throw new IOException(file + " line " + (i + 1) + ": expected 6 tab-separated fields, found "
                        + f.length);
            }
            out.add(new Entry(f[0], f[1], Long.parseLong(f[2]), Instant.parse(f[3]), f[4],
                    Fleet.Delivery.valueOf(f[5])));
        }
        return out;
    }
}
