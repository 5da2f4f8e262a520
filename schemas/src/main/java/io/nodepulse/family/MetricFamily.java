package io.nodepulse.family;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A group of fields reported together: a node-level record such as cpu, or the items of a per-device array
 * such as disks.
 *
 * @param name        family name as in NodeRollup.family and the SQL table suffix (cpu, disk, cpuPressure…)
 * @param path        where it sits in NodeMetrics, e.g. {@code pressure.cpuPressure} or {@code disks}
 * @param deviceField for per-device families, the field naming the device (device, mountPoint, name, zone,
 *                    uid, core); null for node-level families
 * @param fields      every field except the device field, in schema order
 * @param schema      the family's record schema
 */
public record MetricFamily(String name, String path, String deviceField, List<MetricField> fields, Schema schema) {

    public boolean perDevice() {
        return deviceField != null;
    }

    public List<MetricField> fields(MetricKind kind) {
        return fields.stream().filter(f -> f.kind() == kind).toList();
    }

    public MetricField field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no field " + fieldName));
    }
}
