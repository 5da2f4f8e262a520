package io.nodepulse.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.SampleMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final WireSerdes serdes = WireSerdes.offline();
    private final AvroSerde<NodeMetrics> serde = serdes.nodeMetrics();
    private final NodeMetrics sample = SampleMetrics.event("prod", "node-1", "boot-1", "run-1", 7,
            Instant.parse("2026-11-25T10:00:10Z"));

    @Test
    void roundTripsEveryField() {
        byte[] bytes = serde.serialize("t", sample);
        assertThat(serde.deserialize("t", bytes)).isEqualTo(sample);
    }

    @Test
    void writesTheSingleObjectHeaderWithTheSchemaFingerprint() {
        byte[] bytes = serde.serialize("t", sample);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(AvroSerde.fingerprint(bytes)).isEqualTo(Fingerprints.of(NodeMetrics.getClassSchema()));
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void rejectsAWrongMagicByte() {
        byte[] bytes = serde.serialize("t", sample);
        bytes[1] = 0x02;
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> serde.deserialize("t", bytes));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.BAD_MAGIC);
        assertThat(e.getMessage()).contains("C3 02");
    }

    @Test
    void rejectsRecordsShorterThanTheHeader() {
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> serde.deserialize("t", new byte[] {(byte) 0xC3, 0x01, 1, 2}));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.BAD_MAGIC);
    }

    @Test
    void rejectsPlainJsonAsBadMagic() {
        assertThatThrownBy(() -> serde.deserialize("t", "{\"node\":\"x\"}".getBytes()))
                .isInstanceOfSatisfying(WireFormatException.class,
                        e -> assertThat(e.kind()).isEqualTo(WireFormatException.Kind.BAD_MAGIC));
    }

    @Test
    void namesAnUnknownFingerprint() {
        byte[] bytes = serde.serialize("t", sample);
        for (int i = 2; i < 10; i++) {
            bytes[i] = (byte) 0x5A;
        }
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> serde.deserialize("t", bytes));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_FINGERPRINT);
        assertThat(e.fingerprint()).isEqualTo(0x5A5A5A5A5A5A5A5AL);
        assertThat(e.getMessage()).contains("5a5a5a5a5a5a5a5a");
    }

    @Test
    void truncatedBodyIsMalformed() {
        byte[] bytes = serde.serialize("t", sample);
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> serde.deserialize("t", cut));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.MALFORMED);
    }

    @Test
    void bytesAfterTheBodyAreMalformed() {
        byte[] one = serde.serialize("t", sample);
        byte[] two = Arrays.copyOf(one, one.length * 2);
        System.arraycopy(one, 0, two, one.length, one.length);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> serde.deserialize("t", two));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.MALFORMED);
        assertThat(e.fingerprint()).isNotNull();
        assertThat(e).hasMessageContaining(one.length + " bytes follow");
    }

    @Test
    void anUnreadableSchemasTopicStillNamesTheRecordsFingerprint() throws IOException {
        SchemaSource down = () -> {
            throw new WireFormatException(WireFormatException.Kind.UNKNOWN_FINGERPRINT, null,
                    "schemas topic x is unreachable: timeout", null);
        };
        AvroSerde<NodeMetrics> reader = new AvroSerde<>(NodeMetrics.class, NodeMetrics.getClassSchema(),
                SchemaCatalog.forTest(SchemaHistory.bundled(), down, java.time.Clock.systemUTC()));
        Schema next = SchemaHistoryTest.load("/evolution/NodeMetrics-next.avsc");
        // the single-object header of a record written with the next schema; the body is never reached
        byte[] bytes = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(Fingerprints.of(next)).putShort((short) 0).array();
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> reader.deserialize("t", bytes));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.UNKNOWN_FINGERPRINT);
        assertThat(e.fingerprint()).isEqualTo(Fingerprints.of(next));
    }

    @Test
    void aKnownButIncompatibleWriterSchemaIsNamedAsSuch() throws IOException {
        // A writer that changed 'seq' from long to string: known to the catalog, but unreadable as NodeMetrics.
        Schema writer = new Schema.Parser().parse(NodeMetrics.getClassSchema().toString()
                .replace("{\"name\":\"seq\",\"type\":\"long\"", "{\"name\":\"seq\",\"type\":\"string\""));
        serdes.catalog().add(writer);
        GenericRecord record = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            record.put(f.name(), f.hasDefaultValue() ? GenericData.get().getDefaultValue(f) : null);
        }
        record.put("cluster", "c");
        record.put("node", "n");
        record.put("bootId", "b");
        record.put("runId", "r");
        record.put("seq", "seven");
        record.put("eventTime", 1L);
        record.put("intervalMs", 10_000);
        record.put("agentVersion", "x");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record, out);
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> serde.deserialize("t", out.toByteArray()));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void garbageNeverEscapesAsAnythingButWireFormatException() {
        byte[] good = serde.serialize("t", sample);
        Random random = new Random(42);
        int decodedAnyway = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = good.clone();
            int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                // Keep the header intact half of the time so the body decoder sees garbage.
                int from = random.nextBoolean() ? AvroSerde.HEADER_LENGTH : 0;
                bytes[from + random.nextInt(bytes.length - from)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            try {
                serde.deserialize("t", bytes);
                decodedAnyway++;
            } catch (WireFormatException expected) {
                assertThat(expected.kind()).isNotNull();
            }
        }
        // Flipped bytes inside numbers still decode; the point is that nothing else was thrown.
        assertThat(decodedAnyway).isLessThan(20_000);
    }

    @Test
    void aHugeClaimedLengthFailsAsMalformedWithoutExhaustingTheHeap() {
        byte[] header = Arrays.copyOf(serde.serialize("t", sample), AvroSerde.HEADER_LENGTH);
        // cluster is the first field: a zig-zag varint claiming a ~1 GiB string.
        byte[] bytes = Arrays.copyOf(header, header.length + 5);
        byte[] varint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        System.arraycopy(varint, 0, bytes, header.length, varint.length);
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> serde.deserialize("t", bytes));
        assertThat(e.kind()).isEqualTo(WireFormatException.Kind.MALFORMED);
    }
}
