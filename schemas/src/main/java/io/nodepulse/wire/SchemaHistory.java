package io.nodepulse.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Every released version of every wire schema, bundled as {@code io/nodepulse/schema/history/<Type>/v<N>.avsc}.
 * Versions are numbered from 1 without gaps; the last one is what this build writes.
 */
public final class SchemaHistory {
    /** The record types on the wire, in the order they appear in the history folder. */
    public static final List<String> TYPES = List.of("NodeMetrics", "NodeRollup", "NodeStatus", "Alert");

    private static final String ROOT = "/io/nodepulse/schema/history/";

    private final Map<String, List<Schema>> versions;

    private SchemaHistory(Map<String, List<Schema>> versions) {
        this.versions = versions;
    }

    /** Loads the history bundled with this jar. */
    public static SchemaHistory bundled() {
        Map<String, List<Schema>> all = new LinkedHashMap<>();
        for (String type : TYPES) {
            List<Schema> list = new ArrayList<>();
            for (int v = 1; ; v++) {
                String path = ROOT + type + "/v" + v + ".avsc";
                try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                    if (in == null) {
                        break;
                    }
                    list.add(new Schema.Parser().parse(in));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read bundled schema " + path, e);
                }
            }
            if (list.isEmpty()) {
                throw new IllegalStateException("no bundled schema history for " + type + " under " + ROOT);
            }
            all.put(type, Collections.unmodifiableList(list));
        }
        return new SchemaHistory(Collections.unmodifiableMap(all));
    }

    /** All versions of one type, oldest first. */
    public List<Schema> versions(String type) {
        List<Schema> list = versions.get(type);
        if (list == null) {
            throw new IllegalArgumentException("unknown wire type " + type + "; known: " + TYPES);
        }
        return list;
    }

    public Schema latest(String type) {
        List<Schema> list = versions(type);
        return list.get(list.size() - 1);
    }

    /** Every schema of every version. */
    public List<Schema> all() {
        List<Schema> list = new ArrayList<>();
        versions.values().forEach(list::addAll);
        return list;
    }
}
