package io.nodepulse.topic;

import io.nodepulse.schema.Alert;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.wire.WireSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The pipeline's topics under one prefix (default {@value #DEFAULT_PREFIX}). Metrics, valid metrics, rollups
 * and late events are keyed by node name, so one node's records share a partition all the way through.
 * node-status and alerts are keyed by {@link #nodeKey cluster/node}.
 */
public final class Topics {
    public static final String DEFAULT_PREFIX = "nodepulse.";
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]*");

    private final String prefix;
    private final Topic<String, NodeMetrics> metrics;
    private final Topic<String, NodeMetrics> metricsValid;
    private final Topic<String, NodeRollup> rollup1m;
    private final Topic<String, NodeRollup> rollup1h;
    private final Topic<String, NodeStatus> nodeStatus;
    private final Topic<String, Alert> alerts;
    private final Topic<String, NodeMetrics> late;
    private final Topic<byte[], byte[]> dlq;
    private final Topic<String, String> schemas;

    public Topics(String prefix, WireSerdes serdes) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix may contain only letters, digits, '.', '_' and '-': "
                    + prefix);
        }
        this.prefix = prefix;
        Serde<String> str = Serdes.String();
        metrics = new Topic<>(prefix + "metrics", str, serdes.nodeMetrics(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(3)), "agents' raw NodeMetrics events, keyed by node name");
        metricsValid = new Topic<>(prefix + "metrics.valid", str, serdes.nodeMetrics(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(3)), "validated, deduplicated NodeMetrics, keyed by node name");
        rollup1m = new Topic<>(prefix + "rollup.1m", str, serdes.nodeRollup(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(7)), "1-minute NodeRollup per node, family and device, keyed by node name");
        rollup1h = new Topic<>(prefix + "rollup.1h", str, serdes.nodeRollup(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(7)), "1-hour NodeRollup per node, family and device, keyed by node name");
        nodeStatus = new Topic<>(prefix + "node-status", str, serdes.nodeStatus(), Topic.Cleanup.COMPACT,
                Map.of("min.cleanable.dirty.ratio", "0.1"), "latest NodeStatus per node, keyed by cluster/node");
        alerts = new Topic<>(prefix + "alerts", str, serdes.alert(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(30)), "Alert FIRING and RESOLVED transitions, keyed by cluster/node");
        late = new Topic<>(prefix + "late", str, serdes.nodeMetrics(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(7)), "valid NodeMetrics that arrived after their windows closed");
        dlq = new Topic<>(prefix + "dlq", Serdes.ByteArray(), Serdes.ByteArray(), Topic.Cleanup.DELETE,
                retention(Duration.ofDays(14)), "rejected records as they arrived, with the reason in headers");
        schemas = new Topic<>(prefix + "schemas", str, str, Topic.Cleanup.COMPACT, Map.of(),
                "every writer schema, keyed by its CRC-64-AVRO fingerprint in hex");
    }

    private static Map<String, String> retention(Duration d) {
        return Map.of("retention.ms", Long.toString(d.toMillis()));
    }

    /** The key of node-status and alerts records. */
    public static String nodeKey(String cluster, String node) {
        return cluster + "/" + node;
    }

    public String prefix() {
        return prefix;
    }

    public Topic<String, NodeMetrics> metrics() {
        return metrics;
    }

    public Topic<String, NodeMetrics> metricsValid() {
        return metricsValid;
    }

    public Topic<String, NodeRollup> rollup1m() {
        return rollup1m;
    }

    public Topic<String, NodeRollup> rollup1h() {
        return rollup1h;
    }

    public Topic<String, NodeStatus> nodeStatus() {
        return nodeStatus;
    }

    public Topic<String, Alert> alerts() {
        return alerts;
    }

    public Topic<String, NodeMetrics> late() {
        return late;
    }

    public Topic<byte[], byte[]> dlq() {
        return dlq;
    }

    public Topic<String, String> schemas() {
        return schemas;
    }

    public List<Topic<?, ?>> all() {
        return List.of(metrics, metricsValid, rollup1m, rollup1h, nodeStatus, alerts, late, dlq, schemas);
    }
}
