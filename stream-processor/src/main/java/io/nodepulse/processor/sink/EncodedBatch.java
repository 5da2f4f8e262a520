package io.nodepulse.processor.sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** A batch turned into what one database transaction writes. */
final class EncodedBatch {
    /** Row buffers by table and path, in the order they were first used. */
    final Map<String, TableCopy> copies = new LinkedHashMap<>();
    /** Records the database will never accept, found before writing, with the reason. */
    final List<Rejected> rejected = new ArrayList<>();
    /** Rollup rows to recompute after late events. */
    final Set<RepairKey> repairs = new LinkedHashSet<>();
    /** The newest event of each node in the batch. */
    final Map<NodeKey, LatestRow> latest = new LinkedHashMap<>();
    /** First and last event of each node in the batch. */
    final Map<NodeKey, Seen> seen = new LinkedHashMap<>();
    /** The newest liveness change of each node in the batch. */
    final Map<NodeKey, StatusRow> statuses = new LinkedHashMap<>();
    /** Next offset per partition: the last record's offset plus one, rejected records included. */
    final Map<TopicPartition, Long> nextOffsets = new LinkedHashMap<>();
    /** Records per source, for metrics. */
    final Map<Source, Integer> records = new LinkedHashMap<>();
    /** Tombstones and other records with nothing to store. */
    int skipped;

    record NodeKey(String cluster, String node) {
    }

    /** A record refused before it reached the database. */
    record Rejected(SinkRecord record, String reason, String detail, String sqlState) {
    }

    /** One rollup row to recompute: family as NodeRollup names it. */
    record RepairKey(String cluster, String node, String family, Resolution resolution, long bucketMillis) {
    }

    /** Headline values for the latest table. */
    record LatestRow(long timeMillis, Integer cpuCount, Double cpuBusy, Long memTotal, Long memUsed, Long memAvailable,
                     Double load1, Double diskRead, Double diskWritten, Double netRx, Double netTx, Double fsMaxUsed,
                     Integer pods) {
    }

    /** What the inventory learns from events. */
    record Seen(long firstMillis, long lastMillis, String bootId, String runId, String agentVersion) {
    }

    /** What the inventory learns from a liveness change. */
    record StatusRow(String state, long sinceMillis, long lastSeenMillis, String reason, String bootId, String runId) {
    }
}
