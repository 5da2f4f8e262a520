package io.nodepulse.wire;

import io.nodepulse.schema.Alert;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeRollup;
import io.nodepulse.schema.NodeStatus;
import java.util.List;
import org.apache.avro.Schema;

/** The serdes of the four wire types, sharing one {@link SchemaCatalog}. */
public final class WireSerdes implements AutoCloseable {
    private final SchemaCatalog catalog;
    private final AvroSerde<NodeMetrics> nodeMetrics;
    private final AvroSerde<NodeRollup> nodeRollup;
    private final AvroSerde<NodeStatus> nodeStatus;
    private final AvroSerde<Alert> alert;

    public WireSerdes(SchemaCatalog catalog) {
        this.catalog = catalog;
        this.nodeMetrics = new AvroSerde<>(NodeMetrics.class, NodeMetrics.getClassSchema(), catalog);
        this.nodeRollup = new AvroSerde<>(NodeRollup.class, NodeRollup.getClassSchema(), catalog);
        this.nodeStatus = new AvroSerde<>(NodeStatus.class, NodeStatus.getClassSchema(), catalog);
        this.alert = new AvroSerde<>(Alert.class, Alert.getClassSchema(), catalog);
    }

    /** Serdes that resolve only the bundled history: for tests and offline tools. */
    public static WireSerdes offline() {
        return new WireSerdes(SchemaCatalog.bundledOnly());
    }

    public SchemaCatalog catalog() {
        return catalog;
    }

    public AvroSerde<NodeMetrics> nodeMetrics() {
        return nodeMetrics;
    }

    public AvroSerde<NodeRollup> nodeRollup() {
        return nodeRollup;
    }

    public AvroSerde<NodeStatus> nodeStatus() {
        return nodeStatus;
    }

    public AvroSerde<Alert> alert() {
        return alert;
    }

    /** The schemas this build writes; register them before producing. */
    public static List<Schema> writerSchemas() {
        return List.of(NodeMetrics.getClassSchema(), NodeRollup.getClassSchema(), NodeStatus.getClassSchema(),
                Alert.getClassSchema());
    }

    @Override
    public void close() {
        catalog.close();
    }
}
