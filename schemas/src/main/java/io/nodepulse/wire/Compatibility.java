package io.nodepulse.wire;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * FULL_TRANSITIVE compatibility: every version can read data written by every other version, in both
 * directions. That is what lets agents and processors of different releases run side by side during a rolling
 * update, in either order.
 */
public final class Compatibility {
    private Compatibility() {
    }

    /** @return one line per incompatible (reader, writer) pair; empty when all versions are compatible */
    public static List<String> fullTransitive(List<Schema> versions) {
        List<String> problems = new ArrayList<>();
        for (int r = 0; r < versions.size(); r++) {
            for (int w = 0; w < versions.size(); w++) {
                if (r == w) {
                    continue;
                }
                SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(versions.get(r), versions.get(w));
                if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    problems.add("v" + (r + 1) + " cannot read data written with v" + (w + 1) + ": "
                            + result.getResult().getIncompatibilities());
                }
            }
        }
        return problems;
    }
}
