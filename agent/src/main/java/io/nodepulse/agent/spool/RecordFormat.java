package io.nodepulse.agent.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The on-disk layout. A segment starts with the 8-byte {@link #SEGMENT_MAGIC}; then records follow, each
 * <pre>
 *   int32  payload length
 *   int32  CRC32C of the payload
 *   payload: int8 version (1), int64 record id, int64+int64 run id, int64 seq, uint16 key length, key, value
 * </pre>
 * All integers are big-endian. A record is valid when its length is plausible, its CRC matches and its id is
 * above the previous record's; anything else is a torn write or corruption.
 */
final class RecordFormat {
    static final byte[] SEGMENT_MAGIC = "NPSPOOL\u0001".getBytes(StandardCharsets.ISO_8859_1);
    static final int SEGMENT_HEADER = SEGMENT_MAGIC.length;
    static final int FRAME_HEADER = 8;
    static final byte VERSION = 1;
    /** version, id, run id, seq, key length */
    static final int MIN_PAYLOAD = 1 + 8 + 16 + 8 + 2;
    static final int MAX_PAYLOAD = 16 * 1024 * 1024;

    private RecordFormat() {
    }

    /** The whole frame of one record: header and payload. */
    static ByteBuffer frame(long id, SpoolEvent event) {
        if (event.key().length > 0xFFFF) {
            throw new IllegalArgumentException("key longer than 65535 bytes");
        }
        int payload = MIN_PAYLOAD + event.key().length + event.value().length;
        ByteBuffer buf = ByteBuffer.allocate(FRAME_HEADER + payload);
        buf.putInt(payload).putInt(0);
        buf.put(VERSION).putLong(id).putLong(event.runId().getMostSignificantBits())
                .putLong(event.runId().getLeastSignificantBits()).putLong(event.seq())
                .putShort((short) event.key().length).put(event.key()).put(event.value());
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), FRAME_HEADER, payload);
        buf.putInt(4, (int) crc.getValue());
        return buf.flip();
    }

    static int frameLength(SpoolEvent event) {
        return FRAME_HEADER + MIN_PAYLOAD + event.key().length + event.value().length;
    }

    static boolean plausibleLength(int length) {
        return length >= MIN_PAYLOAD && length <= MAX_PAYLOAD;
    }

    static boolean crcMatches(ByteBuffer payload, int expected) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue() == expected;
    }

    /** The id of a payload, or -1 when its version is unknown. */
    static long id(ByteBuffer payload) {
        return payload.get(payload.position()) == VERSION ? payload.getLong(payload.position() + 1) : -1;
    }

    /** Decodes a payload whose CRC matched; null when its inner lengths do not add up. */
    static Decoded decode(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate();
        if (p.remaining() < MIN_PAYLOAD || p.get() != VERSION) {
            return null;
        }
        long id = p.getLong();
        UUID run = new UUID(p.getLong(), p.getLong());
        long seq = p.getLong();
        int keyLength = Short.toUnsignedInt(p.getShort());
        if (keyLength > p.remaining()) {
            return null;
        }
        byte[] key = new byte[keyLength];
        p.get(key);
        byte[] value = new byte[p.remaining()];
        p.get(value);
        return new Decoded(id, new SpoolEvent(run, seq, key, value));
    }

    static boolean isSegmentHeader(ByteBuffer header) {
        byte[] b = new byte[SEGMENT_HEADER];
        header.duplicate().get(b);
        return Arrays.equals(b, SEGMENT_MAGIC);
    }

    record Decoded(long id, SpoolEvent event) {
    }
}
