package io.nodepulse.processor.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NodeState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** The liveness store's records round-trip, and records written before heardAt existed still read. */
class NodeLivenessSerdeTest {
    private final NodeLiveness.StoreSerde serde = new NodeLiveness.StoreSerde();

    @Test
    void roundTrips() {
        NodeLiveness n = new NodeLiveness();
        n.cluster = "c";
        n.node = "n";
        n.state = NodeState.DOWN;
        n.since = 5;
        n.lastSeen = 7;
        n.heardAt = 9;
        n.intervalMs = 10_000;
        n.bootId = "b";
        n.downAlertFiring = true;
        n.downAlertSince = 11;
        NodeLiveness back = serde.deserialize("t", serde.serialize("t", n));
        assertThat(back).usingRecursiveComparison().isEqualTo(n);
    }

    @Test
    void aVersionOneRecordIsHeardWhenLastSeen() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeUTF("c");
            out.writeUTF("n");
            out.writeByte(NodeState.UP.ordinal());
            out.writeLong(5);
            out.writeLong(7);
            out.writeInt(10_000);
            out.writeUTF("b");
            out.writeUTF("");
            out.writeBoolean(false);
            out.writeLong(0);
        }
        NodeLiveness n = serde.deserialize("t", bytes.toByteArray());
        assertThat(n.state).isEqualTo(NodeState.UP);
        assertThat(n.lastSeen).isEqualTo(7);
        assertThat(n.heardAt).isEqualTo(7);
        assertThat(n.runId).isNull();
    }
}
