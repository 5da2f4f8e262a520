package io.nodepulse.agent.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One append-only segment file, named after the id of its first record. */
final class Segment implements Closeable {
    private static final Pattern NAME = Pattern.compile("segment-(\\d{20})\\.log");

    final long baseId;
    final Path path;
    /** Bytes holding records (for the segment being written: the write position). */
    long size;
    /** Id of its last record; baseId - 1 while it has none. */
    long lastId;
    private FileChannel channel;

    Segment(long baseId, Path path, long size) {
        this.baseId = baseId;
        this.path = path;
        this.size = size;
        this.lastId = baseId - 1;
    }

    static String fileName(long baseId) {
        return String.format("segment-%020d.log", baseId);
    }

    /** The base id in a segment file name, or -1 when the name is not a segment's. */
    static long parseBase(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        return channel;
    }

    void attach(FileChannel writable) {
        closeQuietly();
        this.channel = writable;
    }

    /** One read attempt at {@code offset}. */
    Read read(long offset, long previousId) throws IOException {
        if (offset >= size) {
            return Read.END;
        }
        if (offset + RecordFormat.FRAME_HEADER > size) {
            return Read.BAD;
        }
        FileChannel ch = channel();
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.FRAME_HEADER);
        readFully(ch, header, offset);
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (!RecordFormat.plausibleLength(length) || offset + RecordFormat.FRAME_HEADER + length > size) {
            return Read.BAD;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, offset + RecordFormat.FRAME_HEADER);
        if (!RecordFormat.crcMatches(payload, crc)) {
            return Read.BAD;
        }
        RecordFormat.Decoded d = RecordFormat.decode(payload);
        if (d == null || d.id() <= previousId) {
            return Read.BAD;
        }
        return new Read(new SpoolRecord(d.id(), d.event(), baseId,
                offset + RecordFormat.FRAME_HEADER + length), false);
    }

    /**
     * Scans forward from {@code from} for the next offset where a valid record with an id above
     * {@code previousId} starts; -1 when there is none before {@link #size}.
     */
    long findNext(long from, long previousId) throws IOException {
        long end = size;
        if (from >= end) {
            return -1;
        }
        MappedByteBuffer map = channel().map(FileChannel.MapMode.READ_ONLY, from, end - from);
        int limit = map.limit();
        for (int p = 0; p + RecordFormat.FRAME_HEADER + RecordFormat.MIN_PAYLOAD <= limit; p++) {
            int length = map.getInt(p);
            if (!RecordFormat.plausibleLength(length) || (long) p + RecordFormat.FRAME_HEADER + length > limit) {
                continue;
            }
            int payloadAt = p + RecordFormat.FRAME_HEADER;
            if (map.get(payloadAt) != RecordFormat.VERSION || map.getLong(payloadAt + 1) <= previousId) {
                continue;
            }
            ByteBuffer payload = map.slice(payloadAt, length);
            if (RecordFormat.crcMatches(payload, map.getInt(p + 4))) {
                return from + p;
            }
        }
        return -1;
    }

    boolean hasValidHeader() throws IOException {
        if (size < RecordFormat.SEGMENT_HEADER) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.SEGMENT_HEADER);
        readFully(channel(), header, 0);
        return RecordFormat.isSegmentHeader(header);
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read channel cannot lose data
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    /** The outcome of one read: a record, the end of the segment, or bytes that are no valid record. */
    record Read(SpoolRecord record, boolean bad) {
        static final Read END = new Read(null, false);
        static final Read BAD = new Read(null, true);
    }
}
