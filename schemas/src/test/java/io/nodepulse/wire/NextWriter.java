package io.nodepulse.wire;

import io.nodepulse.schema.NodeMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;

/** Writes an event as a newer agent would: with a newer schema that has extra fields. */
final class NextWriter {
    private NextWriter() {
    }

    static byte[] encode(Schema next, NodeMetrics event, Map<String, String> labels) {
        try {
            // Re-read today's event with the newer schema (defaults fill the new fields), then set them.
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(raw, null);
            new SpecificDatumWriter<NodeMetrics>(NodeMetrics.getClassSchema()).write(event, encoder);
            encoder.flush();
            GenericRecord record = new GenericDatumReader<GenericRecord>(NodeMetrics.getClassSchema(), next)
                    .read(null, DecoderFactory.get().binaryDecoder(raw.toByteArray(), null));
            record.put("labels", labels);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new BinaryMessageEncoder<GenericRecord>(GenericData.get(), next).encode(record, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
