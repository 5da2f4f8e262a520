package io.nodepulse.processor.sink;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Rows in PostgreSQL's binary COPY format, written into a growable byte array: a signature and header, then per
 * row a 16-bit field count and per field a 32-bit length (-1 for NULL) and the value in the type's binary
 * send format, then a trailer of -1. See the COPY page of the PostgreSQL manual, "Binary Format".
 */
public final class BinaryCopy {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's timestamp epoch. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    /** PostgreSQL's timestamptz range in microseconds since 2000-01-01: 4714-11-24 BC to before 294277 AD. */
    private static final long PG_MIN_MICROS = -211_813_488_000_000_000L;
    private static final long PG_END_MICROS = 9_223_371_331_200_000_000L;
    private static final int TEXT_OID = 25;

    private byte[] buf;
    private int len;
    private int rows;

    public BinaryCopy(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
        reset();
    }

    /** Empties the buffer and writes the header again. */
    public void reset() {
        len = 0;
        rows = 0;
        put(SIGNATURE, 0, SIGNATURE.length);
        int32(0); // flags: no OIDs
        int32(0); // header extension length
    }

    /** Starts a row of {@code fields} values. */
    public BinaryCopy row(int fields) {
        int16(fields);
        rows++;
        return this;
    }

    /** Rows started since the last reset. */
    public int rows() {
        return rows;
    }

    /** Bytes written, header included; the trailer is added by {@link #finish()}. */
    public int size() {
        return len;
    }

    /** The current length, so that a half-written record can be dropped with {@link #truncate}. */
    public int mark() {
        return len;
    }

    /** Drops everything written after {@code mark} and forgets the rows started since. */
    public void truncate(int mark, int rowsAtMark) {
        len = mark;
        rows = rowsAtMark;
    }

    public BinaryCopy nul() {
        int32(-1);
        return this;
    }

    public BinaryCopy text(String s) {
        if (s == null) {
            return nul();
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        put(b, 0, b.length);
        return this;
    }

    /** Text whose UTF-8 bytes the caller already has (repeated keys such as cluster and node names). */
    public BinaryCopy utf8(byte[] b) {
        int32(b.length);
        put(b, 0, b.length);
        return this;
    }

    public BinaryCopy int4(int v) {
        int32(4);
        int32(v);
        return this;
    }

    public BinaryCopy int8(long v) {
        int32(8);
        int64(v);
        return this;
    }

    public BinaryCopy float8(double v) {
        int32(8);
        int64(Double.doubleToRawLongBits(v));
        return this;
    }

    public BinaryCopy bool(boolean v) {
        int32(1);
        ensure(1);
        buf[len++] = (byte) (v ? 1 : 0);
        return this;
    }

    /**
     * A timestamptz from epoch milliseconds.
     *
     * @throws ArithmeticException when the instant does not fit PostgreSQL's 64-bit microseconds
     */
    public BinaryCopy timestamptzMillis(long epochMillis) {
        int32(8);
        int64(inRange(Math.subtractExact(Math.multiplyExact(epochMillis, 1000L), PG_EPOCH_MICROS)));
        return this;
    }

    /** A timestamptz; null writes NULL. */
    public BinaryCopy timestamptz(Instant t) {
        if (t == null) {
            return nul();
        }
        long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
        int32(8);
        int64(inRange(Math.subtractExact(micros, PG_EPOCH_MICROS)));
        return this;
    }

    /** A jsonb value: format version 1, then the JSON text. */
    public BinaryCopy jsonb(String json) {
        if (json == null) {
            return nul();
        }
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        int32(b.length + 1);
        ensure(1);
        buf[len++] = 1;
        put(b, 0, b.length);
        return this;
    }

    /** A one-dimensional text[] (empty list: an empty array); null elements are NULL. */
    public BinaryCopy textArray(List<String> items) {
        if (items == null) {
            return nul();
        }
        int lengthAt = len;
        int32(0); // patched below
        int start = len;
        if (items.isEmpty()) {
            int32(0); // dimensions
            int32(0); // has nulls
            int32(TEXT_OID);
        } else {
            int32(1);
            boolean nulls = false;
            for (String s : items) {
                nulls |= s == null;
            }
            int32(nulls ? 1 : 0);
            int32(TEXT_OID);
            int32(items.size());
            int32(1); // lower bound
            for (String s : items) {
                text(s);
            }
        }
        int size = len - start;
        patch32(lengthAt, size);
        return this;
    }

    private static long inRange(long pgMicros) {
        if (pgMicros < PG_MIN_MICROS || pgMicros >= PG_END_MICROS) {
            throw new ArithmeticException("timestamp outside PostgreSQL's range (4714 BC to 294276 AD)");
        }
        return pgMicros;
    }

    /** Appends the trailer; the buffer is then ready to send. */
    public void finish() {
        int16(-1);
    }

    public byte[] buffer() {
        return buf;
    }

    private void int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void patch32(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    private void int64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
    }

    private void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
