package io.nodepulse.processor.liveness;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.alert.AlertRule;
import io.nodepulse.processor.validate.Checked;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.NodeState;
import io.nodepulse.schema.NodeStatus;
import io.nodepulse.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Tracks every node's liveness in store {@value #STORE} (key cluster/node) and publishes changes as NodeStatus
 * (and node-down alerts) keyed by cluster/node.
 * <p>
 * Events drive UP (first seen, back again, or a new boot id = reboot) and STOPPED (the agent's SHUTDOWN event).
 * A wall-clock punctuator drives DOWN, RETIRED and the alert of a node that stopped and stayed away. How far
 * away a node is gets measured against a reference time chosen so that a processor that was down, or is
 * working through a backlog, does not declare every node DOWN before their queued events are read: while this
 * task keeps receiving events, the reference is the task's event-time frontier (the newest event time it has
 * seen from any node, but never ahead of the wall clock, so one node with a fast clock does not put the others
 * behind), and a node is DOWN only when the others have moved on without it; once the task has received
 * nothing for a node's DOWN threshold of wall-clock time, its input is drained and the reference is the wall
 * clock. An event older than the node's last one changes nothing.
 */
public final class LivenessProcessor implements Processor<byte[], Checked, String, SpecificRecord> {
    public static final String STORE = "liveness-store";

    private final LivenessSettings settings;
    private final AlertRule nodeDownRule;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, NodeLiveness> store;
    private long lastRecordWall;
    private long frontier = Long.MIN_VALUE;

    /** Per node (key cluster/node): state, since, last seen, interval, boot and run id, node-down alert. */
    public static StoreBuilder<KeyValueStore<String, NodeLiveness>> store() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                new NodeLiveness.StoreSerde());
    }

    public LivenessProcessor(LivenessSettings settings, AlertRule nodeDownRule, PipelineMetrics metrics) {
        this.settings = settings;
        this.nodeDownRule = nodeDownRule;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.lastRecordWall = context.currentSystemTimeMs();
        try (KeyValueIterator<String, NodeLiveness> it = store.all()) {
            while (it.hasNext()) {
                NodeLiveness n = it.next().value;
                frontier = Math.max(frontier, Math.max(n.lastSeen, n.heardAt));
            }
        }
        context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::check);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        NodeMetrics e = record.value().event();
        lastRecordWall = context.currentSystemTimeMs();
        long t = e.getEventTime().toEpochMilli();
        frontier = Math.max(frontier, t);
        String key = Topics.nodeKey(e.getCluster(), e.getNode());
        NodeLiveness n = store.get(key);
        if (n == null) {
            n = new NodeLiveness();
            n.cluster = e.getCluster();
            n.node = e.getNode();
        }
        if (t < n.lastSeen) {
            // an older event (a re-send, a straggler) says nothing about the node now
            return;
        }
        boolean reboot = n.bootId != null && !n.bootId.equals(e.getBootId());
        n.lastSeen = t;
        n.heardAt = Math.min(frontier, lastRecordWall);
        n.intervalMs = e.getIntervalMs();
        n.bootId = e.getBootId();
        n.runId = e.getRunId();
        if (e.getKind() == EventKind.SHUTDOWN) {
            if (n.state != NodeState.STOPPED) {
                change(n, NodeState.STOPPED, t, false, "clean shutdown of agent run " + e.getRunId());
            }
        } else if (n.state != NodeState.UP) {
            String reason = n.state == NodeState.UNKNOWN ? "first seen"
                    : "reporting again after " + n.state.name().toLowerCase(java.util.Locale.ROOT)
                    + (reboot ? "; rebooted (new boot id)" : "");
            change(n, NodeState.UP, t, reboot, reason);
        } else if (reboot) {
            change(n, NodeState.UP, t, true, "rebooted (new boot id)");
        }
        if (n.downAlertFiring) {
            resolveDown(n, t, "node reported again");
        }
        store.put(key, n);
    }

    private void check(long now) {
        List<KeyValue<String, NodeLiveness>> changed = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        long idleFor = now - lastRecordWall;
        try (KeyValueIterator<String, NodeLiveness> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, NodeLiveness> kv = it.next();
                NodeLiveness n = kv.value;
                long downAfter = (long) settings.downAfterMissed() * Math.max(1, n.intervalMs);
                long ref = idleFor >= downAfter ? now : Math.min(frontier, now);
                long away = ref - n.heardAt;
                boolean dirty = false;
                if (n.state == NodeState.RETIRED) {
                    if (away > settings.forgetAfter().toMillis()) {
                        forget.add(kv.key);
                    }
                    continue;
                }
                if (away > settings.retireAfter().toMillis()) {
                    change(n, NodeState.RETIRED, ref, false, "away for more than " + human(settings.retireAfter())
                            + " (last seen " + Instant.ofEpochMilli(n.lastSeen) + ")");
                    if (n.downAlertFiring) {
                        resolveDown(n, ref, "node retired after " + human(settings.retireAfter()) + " away");
                    }
                    dirty = true;
                } else if (n.state == NodeState.UP && away > downAfter) {
                    change(n, NodeState.DOWN, ref, false, "missed " + settings.downAfterMissed() + " intervals ("
                            + "nothing for " + human(Duration.ofMillis(away)) + ", last seen "
                            + Instant.ofEpochMilli(n.lastSeen) + ")");
                    dirty = true;
                } else if (n.state == NodeState.STOPPED && away > settings.stoppedAlertAfter().toMillis()) {
                    change(n, NodeState.DOWN, ref, false, "shut down cleanly at " + Instant.ofEpochMilli(n.since)
                            + " and not back after " + human(settings.stoppedAlertAfter()));
                    dirty = true;
                }
                if (n.state == NodeState.DOWN && !n.downAlertFiring && nodeDownRule != null
                        && ref - n.since >= nodeDownRule.forDuration().toMillis()) {
                    fireDown(n, ref, away, downAfter);
                    dirty = true;
                }
                if (dirty) {
                    changed.add(KeyValue.pair(kv.key, n));
                }
            }
        }
        for (KeyValue<String, NodeLiveness> kv : changed) {
            store.put(kv.key, kv.value);
        }
        for (String k : forget) {
            store.delete(k);
        }
    }

    private void change(NodeLiveness n, NodeState to, long at, boolean reboot, String reason) {
        NodeState from = n.state;
        n.state = to;
        n.since = at;
        NodeStatus status = NodeStatus.newBuilder().setCluster(n.cluster).setNode(n.node).setState(to)
                .setPreviousState(from).setSince(Instant.ofEpochMilli(at))
                .setLastSeen(Instant.ofEpochMilli(n.lastSeen)).setBootId(n.bootId).setRunId(n.runId)
                .setReboot(reboot).setReason(reason).build();
        metrics.statusChanges.inc(to.name());
        context.forward(new Record<>(Topics.nodeKey(n.cluster, n.node), status, at));
    }

    private void fireDown(NodeLiveness n, long at, long away, long downAfter) {
        n.downAlertFiring = true;
        n.downAlertSince = n.since;
        alert(n, AlertState.FIRING, at, away, downAfter, nodeDownRule.render(n.node, null, null) + " ("
                + "last seen " + Instant.ofEpochMilli(n.lastSeen) + ")");
    }

    private void resolveDown(NodeLiveness n, long at, String reason) {
        n.downAlertFiring = false;
        AlertRule rule = nodeDownRule;
        if (rule == null) {
            return;
        }
        alert(n, AlertState.RESOLVED, at, Math.max(0, at - n.lastSeen),
                (long) settings.downAfterMissed() * Math.max(1, n.intervalMs), "resolved: " + reason);
    }

    private void alert(NodeLiveness n, AlertState state, long at, long awayMs, long thresholdMs, String summary) {
        Alert alert = Alert.newBuilder().setCluster(n.cluster).setNode(n.node).setRule(nodeDownRule.name())
                .setDevice(null).setSeverity(nodeDownRule.severity()).setState(state).setValue(awayMs / 1000.0)
                .setThreshold(thresholdMs / 1000.0).setSince(Instant.ofEpochMilli(n.downAlertSince))
                .setAt(Instant.ofEpochMilli(at)).setSummary(summary)
                .setLabels(new HashMap<>(nodeDownRule.labels())).build();
        metrics.alerts.inc(nodeDownRule.name(), state.name());
        context.forward(new Record<>(Topics.nodeKey(n.cluster, n.node), alert, at));
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 86_400 == 0 && s > 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
