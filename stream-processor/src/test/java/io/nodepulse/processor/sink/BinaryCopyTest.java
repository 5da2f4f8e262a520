package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte-exact checks of the binary COPY format as the PostgreSQL manual specifies it. */
class BinaryCopyTest {
    private static final String HEADER = "5047434f50590aff0d0a00" + "00000000" + "00000000";

    @Test
    void headerRowAndTrailer() {
        BinaryCopy c = new BinaryCopy(16);
        c.row(4).int4(7).int8(-2).nul().bool(true);
        c.finish();
        assertThat(hex(c)).isEqualTo(HEADER + "0004" + "00000004" + "00000007" + "00000008" + "fffffffffffffffe"
                + "ffffffff" + "00000001" + "01" + "ffff");
        assertThat(c.rows()).isEqualTo(1);
    }

    @Test
    void textIsUtf8AndFloatIsIeeeBigEndian() {
        BinaryCopy c = new BinaryCopy(16);
        c.row(2).text("é").float8(1.5);
        assertThat(hex(c)).isEqualTo(HEADER + "0002" + "00000002" + "c3a9" + "00000008" + "3ff8000000000000");
    }

    @Test
    void timestamptzCountsMicrosecondsFrom2000() {
        BinaryCopy c = new BinaryCopy(16);
        c.timestamptz(Instant.parse("2000-01-01T00:00:01.000002Z")).timestamptzMillis(946_684_800_000L);
        assertThat(hex(c)).isEqualTo(HEADER + "00000008" + "00000000000f4242" + "00000008" + "0000000000000000");
    }

    @Test
    void instantsBeyondPostgresRangeFailInJava() {
        BinaryCopy c = new BinaryCopy(16);
        assertThatThrownBy(() -> c.timestamptz(Instant.MAX)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void arraysAndJsonb() {
        BinaryCopy c = new BinaryCopy(16);
        c.textArray(List.of()).textArray(List.of("a", "bc")).jsonb("{}");
        String empty = "0000000c" + "00000000" + "00000000" + "00000019";
        String two = "0000001f" + "00000001" + "00000000" + "00000019" + "00000002" + "00000001"
                + "00000001" + "61" + "00000002" + "6263";
        assertThat(hex(c)).isEqualTo(HEADER + empty + two + "00000003" + "01" + "7b7d");
    }

    @Test
    void truncateDropsAHalfWrittenRecord() {
        BinaryCopy c = new BinaryCopy(16);
        c.row(1).int4(1);
        int mark = c.mark();
        c.row(1).int4(2);
        c.truncate(mark, 1);
        c.finish();
        assertThat(c.rows()).isEqualTo(1);
        assertThat(hex(c)).isEqualTo(HEADER + "0001" + "00000004" + "00000001" + "ffff");
    }

    @Test
    void growsPastItsInitialCapacity() {
        BinaryCopy c = new BinaryCopy(64);
        for (int i = 0; i < 10_000; i++) {
            c.row(1).int8(i);
        }
        c.finish();
        ByteBuffer b = ByteBuffer.wrap(c.buffer(), 0, c.size());
        b.position(19);
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.getShort()).isEqualTo((short) 1);
            assertThat(b.getInt()).isEqualTo(8);
            assertThat(b.getLong()).isEqualTo(i);
        }
        assertThat(b.getShort()).isEqualTo((short) -1);
    }

    private static String hex(BinaryCopy c) {
        return HexFormat.of().formatHex(Arrays.copyOf(c.buffer(), c.size()));
    }

    @Test
    void timestampsOutsidePostgresqlsRangeAreRefusedHere() {
        BinaryCopy c = new BinaryCopy(16);
        assertThatThrownBy(() -> c.timestamptzMillis(-300_000_000_000_000L)).as("before 4714 BC")
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> c.timestamptz(Instant.parse("+300000-01-01T00:00:00Z"))).as("after 294276 AD")
                .isInstanceOf(ArithmeticException.class);
        c.timestamptz(Instant.parse("-4000-01-01T00:00:00Z"));
    }
}
