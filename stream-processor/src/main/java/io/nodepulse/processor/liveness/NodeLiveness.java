package io.nodepulse.processor.liveness;

import io.nodepulse.schema.NodeState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** What the liveness store keeps per node. Mutable; written back after every change. */
final class NodeLiveness {
    /** 2 added heardAt; records of version 1 read with heardAt = lastSeen. */
    private static final byte VERSION = 2;

    String cluster;
    String node;
    NodeState state = NodeState.UNKNOWN;
    long since;
    long lastSeen = Long.MIN_VALUE;
    /**
     * When the node was last heard from, on the task's clock: its event-time frontier (no later than the wall
     * clock) as the node's newest event was processed. Unlike lastSeen, this does not depend on the node's own
     * clock, so a node whose clock is behind is not taken for away.
     */
    long heardAt = Long.MIN_VALUE;
    int intervalMs;
    String bootId;
    String runId;
    boolean downAlertFiring;
    long downAlertSince;

    /** Compact binary serde for the liveness store. */
    static final class StoreSerde implements Serde<NodeLiveness>, Serializer<NodeLiveness>,
            Deserializer<NodeLiveness> {
        @Override
        public byte[] serialize(String topic, NodeLiveness n) {
            if (n == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION);
                out.writeUTF(n.cluster);
                out.writeUTF(n.node);
                out.writeByte(n.state.ordinal());
                out.writeLong(n.since);
                out.writeLong(n.lastSeen);
                out.writeInt(n.intervalMs);
                out.writeUTF(n.bootId == null ? "" : n.bootId);
                out.writeUTF(n.runId == null ? "" : n.runId);
                out.writeBoolean(n.downAlertFiring);
                out.writeLong(n.downAlertSince);
                out.writeLong(n.heardAt);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        @Override
        public NodeLiveness deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int version = in.readByte();
                if (version != VERSION && version != 1) {
                    throw new SerializationException("liveness record version " + version + " is not " + VERSION);
                }
                NodeLiveness n = new NodeLiveness();
                n.cluster = in.readUTF();
                n.node = in.readUTF();
                n.state = NodeState.values()[in.readByte()];
                n.since = in.readLong();
                n.lastSeen = in.readLong();
                n.intervalMs = in.readInt();
                n.bootId = emptyToNull(in.readUTF());
                n.runId = emptyToNull(in.readUTF());
                n.downAlertFiring = in.readBoolean();
                n.downAlertSince = in.readLong();
                n.heardAt = version == 1 ? n.lastSeen : in.readLong();
                return n;
            } catch (IOException e) {
                throw new SerializationException("corrupt liveness record", e);
            }
        }

        private static String emptyToNull(String s) {
            return s.isEmpty() ? null : s;
        }

        @Override
        public Serializer<NodeLiveness> serializer() {
            return this;
        }

        @Override
        public Deserializer<NodeLiveness> deserializer() {
            return this;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
        }

        @Override
        public void close() {
        }
    }
}
