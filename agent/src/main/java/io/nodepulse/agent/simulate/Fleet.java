package io.nodepulse.agent.simulate;

import io.nodepulse.agent.encode.AgentIdentity;
import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.encode.EventStamper;
import io.nodepulse.agent.spool.SpoolEvent;
import io.nodepulse.schema.NodeMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A fleet of simulated nodes, each a {@link VirtualHost} read by an agent run of its own: the agent's
 * {@link EventStamper} (identity, run id, seq) and {@link EventEncoder} (key and Avro value) turn each reading
 * into a {@link SpoolEvent}, which goes to the {@link Output} (the shared spool in the simulator).
 * <p>
 * Time is simulated ({@link SimClock}); {@link #tick()} produces every event that is due. Ticks are multiples
 * of the interval since the epoch as the agent's are, or, with {@code stagger}, shifted per node by a fixed
 * offset so the fleet's events spread over the interval. Events of one node reach the output in the order they
 * were made, except for the injected late ones. Agent runs follow the agent's rules: a new run id at every
 * start, seq from 1, one more per event, the SHUTDOWN event last, off the node's tick grid. A stop, kill, restart
 * or reboot first makes the node's events that fell due since the last tick, so none is skipped.
 * <p>
 * Injected faults of delivery: a {@code duplicateFraction} of events is appended twice (a re-send of the same
 * bytes); a {@code lateFraction} is held back until the simulated clock has passed the end of its 1-minute
 * window plus {@code lateGrace} plus two intervals, then appended (the processor sees it late). Held events of a
 * node that stops, goes silent, restarts or reboots are appended before that happens ({@link Delivery#HELD}).
 * <p>
 * Thread-safe: every method is synchronized, so a runner thread may tick while a test calls the others.
 */
public final class Fleet {
    private static final long MINUTE_MS = 60_000;

    /**
     * @param cluster           cluster of every node
     * @param interval          collection interval
     * @param shape             devices per node
     * @param duplicateFraction share of events sent twice
     * @param lateFraction      share of events held back until their 1-minute window has closed
     * @param lateGrace         the processor's grace of 1-minute windows (NODEPULSE_ROLLUP_GRACE_1M)
     * @param stagger           spread the nodes' ticks over the interval instead of the agent's aligned grid
     * @param faultyFraction    share of nodes with a {@link Fault}
     * @param nodePrefix        node names are the prefix and a serial number
     * @param restartDelay      how long an agent restart takes
     * @param rebootDowntime    how long a node is away for a reboot
     * @param seed              all randomness derives from it
     * @param agentVersion      the agentVersion field of every event
     */
    public record Settings(String cluster, Duration interval, Shape shape, double duplicateFraction,
                           double lateFraction, Duration lateGrace, boolean stagger, double faultyFraction,
                           String nodePrefix, Duration restartDelay, Duration rebootDowntime, long seed,
                           String agentVersion) {
    }

    /** How an event reached the output. */
    public enum Delivery {
        /** in order, once */
        SENT,
        /** a second copy of an event just sent */
        DUPLICATE,
        /** held back until its 1-minute window had closed */
        LATE,
        /** held back to be late, then sent early because its node stopped, went silent or restarted */
        HELD
    }

    /** What a node is doing. */
    public enum State {
        /** an agent run is producing events */
        UP,
        /** the agent was killed or the node vanished: no events, no SHUTDOWN */
        SILENT,
        /** the agent shut down cleanly (SHUTDOWN sent) */
        STOPPED,
        /** the agent is restarting; a new run starts after the restart delay */
        RESTARTING,
        /** the node is rebooting; it comes back with a new boot id and a new run */
        REBOOTING
    }

    /** Where encoded events go: the spool. */
    @FunctionalInterface
    public interface Output {
        void append(SpoolEvent event);
    }

    /** Told of every event appended to the output (for the manifest and counts). */
    @FunctionalInterface
    public interface Listener {
        void appended(NodeMetrics event, Delivery delivery);
    }

    /** One agent run of a node: its run id and the seq range it produced (0..0 before the first event). */
    public record Run(String runId, String bootId, long firstSeq, long lastSeq) {
    }

    /** A snapshot of one node. */
    public record NodeView(String name, State state, Fault fault, String bootId, List<Run> runs) {
        public Run currentRun() {
            return runs.isEmpty() ? null : runs.get(runs.size() - 1);
        }
    }

    /**
     * Totals since the fleet was made: distinct events made, appends (with duplicates), duplicates, late events
     * (held until due), held events sent early, events held now, nodes that joined after the start, nodes that
     * stopped cleanly, went silent, were started again, clean and crash restarts, reboots, nodes up now.
     */
    public record Stats(long events, long appended, long duplicates, long late, long heldReleasedEarly,
                        long heldNow, long joined, long stoppedCleanly, long wentSilent, long started,
                        long restartsClean, long restartsCrash, long reboots, int up) {
    }

    private final class Node {
        final String name;
        final Fault fault;
        VirtualHost host;
        final long offsetMs;
        final List<long[]> runSeqs = new ArrayList<>();
        final List<Run> runs = new ArrayList<>();
        State state;
        EventStamper stamper;
        long nextMs;
        long lastEventMs = Long.MIN_VALUE;
        boolean queued;
        boolean left;

        Node(String name, VirtualHost host, long offsetMs) {
            this.name = name;
            this.fault = host.fault();
            this.host = host;
            this.offsetMs = offsetMs;
        }
    }

    private record Held(Node node, NodeMetrics event, SpoolEvent encoded, long dueMs) {
    }

    private final Settings settings;
    private final SimClock clock;
    private final EventEncoder encoder;
    private final Output output;
    private final Listener listener;
    private final long intervalMs;
    private final SplittableRandom rnd;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final PriorityQueue<Node> queue = new PriorityQueue<>(Comparator.comparingLong((Node n) -> n.nextMs));
    private final PriorityQueue<Held> held = new PriorityQueue<>(Comparator.comparingLong(Held::dueMs));
    private int serial;
    private int faultCycle;
    private int up;

    private long events;
    private long appended;
    private long duplicates;
    private long late;
    private long heldEarly;
    private long joined;
    private long stoppedCleanly;
    private long wentSilent;
    private long started;
    private long restartsClean;
    private long restartsCrash;
    private long reboots;

    public Fleet(Settings settings, SimClock clock, EventEncoder encoder, Output output, Listener listener) {
        this.settings = settings;
        this.clock = clock;
        this.encoder = encoder;
        this.output = output;
        this.listener = listener == null ? (e, d) -> { } : listener;
        this.intervalMs = settings.interval().toMillis();
        if (intervalMs < 1000 || intervalMs % 1000 != 0) {
            throw new IllegalArgumentException("interval must be whole seconds, at least 1s");
        }
        this.rnd = new SplittableRandom(settings.seed());
    }

    public Settings settings() {
        return settings;
    }

    public SimClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ membership and lifecycle

    /**
     * Adds a node named after the prefix and the next serial number; its fault is drawn with the faulty
     * fraction. It starts reporting at its next tick.
     *
     * @param joining true for a node joining the cluster now (booted a minute or two ago); false for the
     *                fleet that exists when the simulation starts (up for hours or days)
     */
    public synchronized String addNode(boolean joining) {
        String name;
        do {
            serial++;
            name = String.format("%s%05d", settings.nodePrefix(), serial);
        } while (nodes.containsKey(name));
        Fault fault = Fault.NONE;
        if (rnd.nextDouble() < settings.faultyFraction()) {
            fault = Fault.CYCLE[faultCycle++ % Fault.CYCLE.length];
        }
        addNode(name, fault, joining);
        return name;
    }

    /** Adds a node with the given name and fault; it starts reporting at its next tick. */
    public synchronized void addNode(String name, Fault fault, boolean joining) {
        if (nodes.containsKey(name)) {
            throw new IllegalArgumentException("node " + name + " exists already");
        }
        long now = now();
        long offset = settings.stagger() ? Math.floorMod(name.hashCode() * 7919L, intervalMs / 10) * 10 : 0;
        Node n = new Node(name, new VirtualHost(settings.shape(), fault, rnd.nextLong(), Instant.ofEpochMilli(now),
                joining), offset);
        nodes.put(name, n);
        if (joining) {
            joined++;
        }
        startRun(n, now);
    }

    /** The node's agent is killed, or the node vanishes: it goes silent, without a SHUTDOWN event. */
    public synchronized void killNode(String name) {
        Node n = up(name, "kill");
        produceDue(n);
        releaseHeld(n);
        unqueue(n);
        setState(n, State.SILENT);
        wentSilent++;
    }

    /** The node's agent stops cleanly (SIGTERM): its SHUTDOWN event is the run's last. */
    public synchronized void stopNode(String name) {
        Node n = up(name, "stop");
        produceDue(n);
        shutdown(n);
        unqueue(n);
        setState(n, State.STOPPED);
        stoppedCleanly++;
    }

    /**
     * The node leaves the cluster for good, like a node removed by an autoscaler: cleanly (SHUTDOWN) or silently.
     * Its machine state is dropped; only its runs are kept for {@link #nodes()}.
     */
    public synchronized void leave(String name, boolean silently) {
        if (silently) {
            killNode(name);
        } else {
            stopNode(name);
        }
        Node n = get(name);
        n.host = null;
        n.stamper = null;
        n.left = true;
    }

    /** A silent or stopped node's agent starts again: a new run, reporting from its next tick. */
    public synchronized void startNode(String name) {
        Node n = get(name);
        if (n.left) {
            throw new IllegalStateException("node " + name + " has left the cluster");
        }
        if (n.state != State.SILENT && n.state != State.STOPPED) {
            throw new IllegalStateException("node " + name + " is " + n.state + ", not silent or stopped");
        }
        started++;
        startRun(n, now());
    }

    /**
     * The node's agent restarts: cleanly (SHUTDOWN, as in a rolling update) or after a crash (nothing), then a
     * new run after the restart delay. The machine keeps running: its counters go on.
     */
    public synchronized void restartAgent(String name, boolean clean) {
        Node n = up(name, "restart");
        produceDue(n);
        if (clean) {
            shutdown(n);
            restartsClean++;
        } else {
            releaseHeld(n);
            restartsCrash++;
        }
        unqueue(n);
        setState(n, State.RESTARTING);
        n.nextMs = now() + settings.restartDelay().toMillis();
        enqueue(n);
    }

    /**
     * The node reboots: its agent stops cleanly (SHUTDOWN), the node is away for the reboot downtime and comes
     * back with a new boot id, counters from zero and a new agent run.
     */
    public synchronized void reboot(String name) {
        Node n = up(name, "reboot");
        produceDue(n);
        shutdown(n);
        unqueue(n);
        long now = now();
        long downtime = settings.rebootDowntime().toMillis();
        n.host.reboot(Instant.ofEpochMilli(now + downtime * 2 / 3));
        setState(n, State.REBOOTING);
        n.nextMs = now + downtime;
        enqueue(n);
        reboots++;
    }

    // ------------------------------------------------------------------ producing

    /** Produces every event due at the simulated clock's current time; returns how many were appended. */
    public synchronized long tick() {
        long now = now();
        long before = appended;
        while (!held.isEmpty() && held.peek().dueMs() <= now) {
            Held h = held.poll();
            emit(h.event(), h.encoded(), Delivery.LATE);
            late++;
        }
        while (!queue.isEmpty() && queue.peek().nextMs <= now) {
            Node n = queue.poll();
            n.queued = false;
            if (n.state == State.RESTARTING || n.state == State.REBOOTING) {
                startRun(n, n.nextMs);
                continue;
            }
            produce(n, n.nextMs);
            n.nextMs += intervalMs;
            enqueue(n);
        }
        return appended - before;
    }

    /** The simulated time of the next due event or held release; null when nothing is scheduled. */
    public synchronized Instant nextDue() {
        long next = Long.MAX_VALUE;
        if (!queue.isEmpty()) {
            next = queue.peek().nextMs;
        }
        if (!held.isEmpty()) {
            next = Math.min(next, held.peek().dueMs());
        }
        return next == Long.MAX_VALUE ? null : Instant.ofEpochMilli(next);
    }

    /** Appends every held event now (before a final shutdown), counted as {@link Delivery#HELD}. */
    public synchronized void releaseAllHeld() {
        List<Held> all = new ArrayList<>(held);
        all.sort(Comparator.comparingLong(h -> h.event().getEventTime().toEpochMilli()));
        held.clear();
        for (Held h : all) {
            emit(h.event(), h.encoded(), Delivery.HELD);
            heldEarly++;
        }
    }

    /**
     * Produces the node's events that are due but not made yet (no tick since they fell due), so a stop, kill,
     * restart or reboot makes them late rather than skipping them. Leaves the node off the queue.
     */
    private void produceDue(Node n) {
        long now = now();
        unqueue(n);
        while (n.nextMs <= now) {
            produce(n, n.nextMs);
            n.nextMs += intervalMs;
        }
    }

    private void produce(Node n, long tickMs) {
        Instant tick = Instant.ofEpochMilli(tickMs);
        NodeMetrics event = n.stamper.sample(n.host.sample(tick), tick);
        n.lastEventMs = tickMs;
        SpoolEvent encoded = encoder.encode(event);
        events++;
        noteSeq(n, event);
        if (settings.lateFraction() > 0 && rnd.nextDouble() < settings.lateFraction()) {
            long windowEnd = Math.floorDiv(tickMs, MINUTE_MS) * MINUTE_MS + MINUTE_MS;
            held.add(new Held(n, event, encoded, windowEnd + settings.lateGrace().toMillis() + 2 * intervalMs));
            return;
        }
        emit(event, encoded, Delivery.SENT);
        if (settings.duplicateFraction() > 0 && rnd.nextDouble() < settings.duplicateFraction()) {
            emit(event, encoded, Delivery.DUPLICATE);
            duplicates++;
        }
    }

    private void emit(NodeMetrics event, SpoolEvent encoded, Delivery delivery) {
        output.append(encoded);
        appended++;
        listener.appended(event, delivery);
    }

    /** Sends the node's held events, then its SHUTDOWN event, off its tick grid and after its last event. */
    private void shutdown(Node n) {
        releaseHeld(n);
        long t = Math.max(now(), n.lastEventMs + 1);
        while (onGrid(n, t) || Math.floorMod(t, intervalMs) == 0) {
            t++;
        }
        NodeMetrics last = n.stamper.shutdown(Instant.ofEpochMilli(t));
        n.lastEventMs = last.getEventTime().toEpochMilli();
        events++;
        noteSeq(n, last);
        emit(last, encoder.encode(last), Delivery.SENT);
    }

    private void releaseHeld(Node n) {
        List<Held> mine = new ArrayList<>();
        held.removeIf(h -> {
            if (h.node() == n) {
                mine.add(h);
                return true;
            }
            return false;
        });
        mine.sort(Comparator.comparingLong(h -> h.event().getSeq()));
        for (Held h : mine) {
            emit(h.event(), h.encoded(), Delivery.HELD);
            heldEarly++;
        }
    }

    private void startRun(Node n, long at) {
        AgentIdentity identity = new AgentIdentity(settings.cluster(), n.name, VirtualHost.uuid(rnd),
                settings.agentVersion());
        n.stamper = new EventStamper(identity, settings.interval(), n.host::bootId);
        n.host.startRun();
        n.runs.add(new Run(identity.runId().toString(), n.host.bootId(), 0, 0));
        n.runSeqs.add(new long[] {0, 0});
        setState(n, State.UP);
        unqueue(n);
        n.nextMs = firstTick(n, Math.max(at, n.lastEventMs + 1));
        enqueue(n);
    }

    private void setState(Node n, State state) {
        if (n.state == State.UP) {
            up--;
        }
        if (state == State.UP) {
            up++;
        }
        n.state = state;
    }

    private void noteSeq(Node n, NodeMetrics e) {
        long[] r = n.runSeqs.get(n.runSeqs.size() - 1);
        if (r[0] == 0) {
            r[0] = e.getSeq();
        }
        r[1] = e.getSeq();
    }

    /** The node's first tick at or after {@code fromMs}. */
    private long firstTick(Node n, long fromMs) {
        long k = Math.floorDiv(fromMs - n.offsetMs + intervalMs - 1, intervalMs);
        return k * intervalMs + n.offsetMs;
    }

    private boolean onGrid(Node n, long t) {
        return Math.floorMod(t - n.offsetMs, intervalMs) == 0;
    }

    private void enqueue(Node n) {
        if (!n.queued) {
            queue.add(n);
            n.queued = true;
        }
    }

    private void unqueue(Node n) {
        if (n.queued) {
            queue.remove(n);
            n.queued = false;
        }
    }

    private Node get(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name);
        }
        return n;
    }

    private Node up(String name, String action) {
        Node n = get(name);
        if (n.state != State.UP) {
            throw new IllegalStateException("cannot " + action + " node " + name + ": it is " + n.state);
        }
        return n;
    }

    private long now() {
        return clock.now().toEpochMilli();
    }

    // ------------------------------------------------------------------ looking

    public synchronized List<NodeView> nodes() {
        List<NodeView> out = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            out.add(view(n));
        }
        return out;
    }

    public synchronized NodeView node(String name) {
        return view(get(name));
    }

    /** Names of the nodes in the given state. */
    public synchronized List<String> names(State state) {
        List<String> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            if (n.state == state) {
                out.add(n.name);
            }
        }
        return out;
    }

    private NodeView view(Node n) {
        List<Run> runs = new ArrayList<>(n.runs.size());
        for (int i = 0; i < n.runs.size(); i++) {
            Run r = n.runs.get(i);
            long[] s = n.runSeqs.get(i);
            runs.add(new Run(r.runId(), r.bootId(), s[0], s[1]));
        }
        return new NodeView(n.name, n.state, n.fault, runs.isEmpty() ? null : runs.get(runs.size() - 1).bootId(),
                List.copyOf(runs));
    }

    /** How many nodes are up. */
    public synchronized int upCount() {
        return up;
    }

    public synchronized Stats stats() {
        return new Stats(events, appended, duplicates, late, heldEarly, held.size(), joined, stoppedCleanly,
                wentSilent, started, restartsClean, restartsCrash, reboots, up);
    }
}
