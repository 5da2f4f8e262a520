package io.nodepulse.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record in single-object encoding: {@code C3 01}, the writer schema's
 * 8-byte little-endian CRC-64-AVRO fingerprint, then the Avro binary body. Writer schemas other than this
 * build's are resolved through a {@link SchemaCatalog}. Every decoding failure is a {@link WireFormatException}.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
    static final int HEADER_LENGTH = 10;

    static {
        AvroRuntime.apply();
    }

    private final Schema schema;
    private final long ownFingerprint;
    private final SchemaCatalog catalog;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final Map<Long, Boolean> readable = new ConcurrentHashMap<>();
    private final ThreadLocal<ByteArrayOutputStream> buffers =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(4096));

    public AvroSerde(Class<T> type, Schema schema, SchemaCatalog catalog) {
        SpecificData model = SpecificData.getForClass(type);
        this.schema = schema;
        this.ownFingerprint = Fingerprints.of(schema);
        this.catalog = catalog;
        catalog.add(schema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, catalog);
    }

    public Schema schema() {
        return schema;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        ByteArrayOutputStream out = buffers.get();
        out.reset();
        try {
            encoder.encode(data, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema.getName(), e);
        }
        return out.toByteArray();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < HEADER_LENGTH || data[0] != (byte) 0xC3 || data[1] != (byte) 0x01) {
            throw new WireFormatException(WireFormatException.Kind.BAD_MAGIC, null,
                    "not Avro single-object encoding (want C3 01 and an 8-byte fingerprint, got "
                            + describeHead(data) + ")", null);
        }
        long fingerprint = fingerprint(data);
        if (fingerprint != ownFingerprint) {
            try {
                checkReadable(fingerprint);
            } catch (WireFormatException e) {
                // the record's fingerprint is known even when the lookup that failed did not say it
                throw e.fingerprint() != null ? e : new WireFormatException(e.kind(), fingerprint, e.getMessage(), e);
            } catch (RuntimeException e) {
                // a failing lookup or compatibility check is this record's problem, not the caller's crash
                throw new WireFormatException(WireFormatException.Kind.UNKNOWN_FINGERPRINT, fingerprint,
                        "cannot resolve writer schema " + Fingerprints.hex(fingerprint) + ": " + e, e);
            }
        }
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(data);
            T value = decoder.decode(in, null);
            if (in.available() > 0) {
                throw new WireFormatException(WireFormatException.Kind.MALFORMED, fingerprint, in.available()
                        + " bytes follow the " + schema.getName() + " body written with schema "
                        + Fingerprints.hex(fingerprint) + ": not one single-object encoded record", null);
            }
            return value;
        } catch (WireFormatException e) {
            throw e;
        } catch (MissingSchemaException e) {
            throw unknown(fingerprint, e);
        } catch (BadHeaderException e) {
            throw new WireFormatException(WireFormatException.Kind.BAD_MAGIC, fingerprint, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Kind.MALFORMED, fingerprint,
                    "cannot decode " + schema.getName() + " body written with schema "
                            + Fingerprints.hex(fingerprint) + ": " + e, e);
        }
    }

    private void checkReadable(long fingerprint) {
        Boolean ok = readable.get(fingerprint);
        if (ok == null) {
            Schema writer = catalog.findByFingerprint(fingerprint);
            if (writer == null) {
                throw unknown(fingerprint, null);
            }
            ok = SchemaCompatibility.checkReaderWriterCompatibility(schema, writer).getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
            readable.put(fingerprint, ok);
        }
        if (!ok) {
            throw new WireFormatException(WireFormatException.Kind.INCOMPATIBLE_SCHEMA, fingerprint,
                    "writer schema " + Fingerprints.hex(fingerprint) + " cannot be read as this "
                            + schema.getFullName(), null);
        }
    }

    private static WireFormatException unknown(long fingerprint, Throwable cause) {
        return new WireFormatException(WireFormatException.Kind.UNKNOWN_FINGERPRINT, fingerprint,
                "writer schema " + Fingerprints.hex(fingerprint)
                        + " is in neither the schemas topic nor the bundled history", cause);
    }

    static long fingerprint(byte[] data) {
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (data[i] & 0xFFL);
        }
        return fp;
    }

    private static String describeHead(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, data.length); i++) {
            sb.append(String.format("%02X ", data[i]));
        }
        return data.length + " bytes starting " + sb.toString().trim();
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }
}
