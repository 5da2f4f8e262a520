package io.nodepulse.agent.collect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** Every field the schema marks {@code "metric": "rate"}, found by walking the record, with its value. */
final class RateFields {
    private RateFields() {
    }

    /** Path (e.g. {@code disks[nvme0n1].readsPerSec}) to value, for every rate field present in the event. */
    static Map<String, Object> of(GenericRecord event) {
        Map<String, Object> out = new LinkedHashMap<>();
        walk(event, "", out);
        return out;
    }

    private static void walk(GenericRecord r, String path, Map<String, Object> out) {
        for (Schema.Field f : r.getSchema().getFields()) {
            Object v = r.get(f.pos());
            String p = path.isEmpty() ? f.name() : path + "." + f.name();
            if ("rate".equals(f.getProp("metric"))) {
                out.put(p, v);
            } else if (v instanceof GenericRecord child) {
                walk(child, p, out);
            } else if (v instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof GenericRecord item) {
                        walk(item, p + "[" + label(item, i) + "]", out);
                    }
                }
            }
        }
    }

    private static String label(GenericRecord item, int index) {
        for (String key : new String[] {"device", "name", "uid", "mountPoint", "zone", "core"}) {
            if (item.getSchema().getField(key) != null) {
                return String.valueOf(item.get(key));
            }
        }
        return Integer.toString(index);
    }
}
