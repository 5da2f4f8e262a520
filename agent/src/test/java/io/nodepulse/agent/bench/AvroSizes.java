package io.nodepulse.agent.bench;

import io.nodepulse.schema.NodeMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/** Where the bytes of an encoded event go, field by field of NodeMetrics. */
final class AvroSizes {
    private AvroSizes() {
    }

    static String byFamily(NodeMetrics event, int total) {
        List<String> parts = new ArrayList<>();
        int families = 0;
        for (Schema.Field f : NodeMetrics.getClassSchema().getFields()) {
            if (f.pos() < NodeMetrics.getClassSchema().getField("collectors").pos()) {
                continue;
            }
            int size = size(f.schema(), event.get(f.pos()));
            families += size;
            parts.add(f.name() + " " + size);
        }
        parts.add(0, "identity and header " + (total - families));
        return String.join(", ", parts) + String.format(Locale.ROOT, " (total %d)", total);
    }

    private static int size(Schema schema, Object value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<Object>(schema).write(value, enc);
            enc.flush();
            return out.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
