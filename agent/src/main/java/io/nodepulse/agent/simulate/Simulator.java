package io.nodepulse.agent.simulate;

import io.nodepulse.agent.encode.AgentVersion;
import io.nodepulse.agent.encode.EventEncoder;
import io.nodepulse.agent.spool.SpoolStatus;
import io.nodepulse.agent.transport.PublisherStatus;
import io.nodepulse.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fleet simulator's command line: {@code Simulator --nodes N --interval 10s [--duration D]
 * [--rate-multiplier X] [options]} (see {@link SimulatorOptions#usage()}). Virtual nodes are read by synthetic
 * collectors; their events go through the agent's own stamper, encoder, spool and producer to Kafka.
 * Progress goes to stdout every few seconds, a summary at the end; logs go to stderr. At the end (or on SIGTERM
 * or Ctrl-C) every node still up shuts down cleanly, as agents do on SIGTERM, and the spool is drained for up
 * to 30 s. Exit codes: 0; 1 failure at run time; 2 bad arguments; 74 the spool directory cannot be used; 78 bad
 * configuration.
 */
public final class Simulator {
    static final int EXIT_RUNTIME = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_IO = 74;
    static final int EXIT_CONFIG = 78;
    /** Heap a simulated node needs without pods, and per pod (measured; see agent/README.md). */
    static final long NODE_BYTES = 4 * 1024;
    static final long POD_BYTES = 280;
    /** Heap besides the nodes: the producer's batches, the spool's hold, encoding. */
    static final long BASE_BYTES = 40L << 20;
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private final SimulatorOptions options;
    private final SimulatorConfig config;
    private final PrintStream out;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object wake = new Object();
    private volatile boolean stopRequested;

    private Simulator(SimulatorOptions options, SimulatorConfig config, PrintStream out) {
        this.options = options;
        this.config = config;
        this.out = out;
    }

    public static void main(String[] args) {
        SimulatorOptions options;
        try {
            options = SimulatorOptions.parse(args);
        } catch (SimulatorOptions.UsageException e) {
            System.err.println("simulate: " + e.getMessage().replace("\n", "\nsimulate: ")
                    + "\nsimulate: see --help for every option");
            System.exit(EXIT_USAGE);
            return;
        }
        if (options.help()) {
            System.out.print(SimulatorOptions.usage());
            return;
        }
        SimulatorConfig config;
        try {
            config = SimulatorConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println("simulate: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        long needed = heapNeeded(options);
        long max = Runtime.getRuntime().maxMemory();
        if (max < needed) {
            System.err.printf(Locale.ROOT, "simulate: %,d nodes with %d pods each need about %d MiB of heap; this JVM "
                    + "has %d MiB. Give it more with -Xmx (e.g. NODEPULSE_JAVA_OPTS=-Xmx%dm ./nodepulse simulate ...)%n",
                    options.nodes(), options.shape().pods(), needed >> 20, max >> 20, roundUp(needed * 3 / 2) >> 20);
            System.exit(EXIT_CONFIG);
            return;
        }
        Simulator sim = new Simulator(options, config, System.out);
        Thread hook = new Thread(sim::requestStop, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = sim.run();
        if (!sim.stopRequested) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                return;
            }
            System.exit(code);
        }
    }

    /** Heap for the fleet's state and the spool's and producer's buffers. */
    static long heapNeeded(SimulatorOptions o) {
        long perNode = NODE_BYTES + POD_BYTES * o.shape().pods();
        return o.nodes() * perNode + BASE_BYTES;
    }

    private static long roundUp(long bytes) {
        long step = 256L << 20;
        return (bytes + step - 1) / step * step;
    }

    private void requestStop() {
        stopRequested = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            finished.await(DRAIN.toSeconds() + 30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int run() {
        try {
            return simulate();
        } finally {
            finished.countDown();
        }
    }

    private int simulate() {
        long seed = options.seed() != null ? options.seed() : ThreadLocalRandom.current().nextLong();
        Path spoolDir = config.spoolDir();
        boolean tempSpool = spoolDir == null;
        FleetOutput output;
        try {
            if (tempSpool) {
                spoolDir = Files.createTempDirectory("nodepulse-simulator-spool-");
            }
            output = FleetOutput.open(config, spoolDir, "nodepulse-simulator");
        } catch (IOException e) {
            System.err.println("simulate: cannot use the spool directory " + spoolDir + ": " + e.getMessage());
            return EXIT_IO;
        }
        Manifest manifest = null;
        try {
            if (options.manifest() != null) {
                manifest = Manifest.create(options.manifest());
            }
        } catch (IOException e) {
            System.err.println("simulate: cannot write the manifest " + options.manifest() + ": " + e.getMessage());
            output.close();
            return EXIT_IO;
        }
        SimClock clock = SimClock.start(Clock.systemUTC(), options.rateMultiplier(), options.duration());
        Fleet fleet = new Fleet(new Fleet.Settings(options.cluster(), options.interval(), options.shape(),
                options.duplicateFraction(), options.lateFraction(), options.lateGrace(), options.stagger(),
                options.faultyFraction(), options.nodePrefix(), Duration.ofSeconds(10), Duration.ofSeconds(90), seed,
                AgentVersion.get() + "+sim"), clock, new EventEncoder(output.metricsTopic()), output, manifest);
        for (int i = 0; i < options.nodes(); i++) {
            fleet.addNode(false);
        }
        Chaos.Rates rates = new Chaos.Rates(options.churnPerHour(), options.silentLeaveFraction(),
                options.rebootsPerHour(), options.restartsPerHour(), options.crashRestartFraction());
        Chaos chaos = new Chaos(fleet, rates, options.nodes(), seed ^ 0x5DEECE66DL);
        banner(fleet, clock, seed, spoolDir, tempSpool);
        int code = 0;
        Instant wallStart = clock.wallStart();
        Instant end = options.duration() == null ? null : wallStart.plus(options.duration());
        Progress progress = new Progress(wallStart);
        try (FleetRunner runner = new FleetRunner(fleet, chaos).start()) {
            Instant next = wallStart.plus(options.progress());
            while (!stopRequested) {
                Instant now = Instant.now();
                if (end != null && !now.isBefore(end)) {
                    break;
                }
                if (runner.failure() != null) {
                    System.err.println("simulate: the fleet stopped: " + runner.failure());
                    code = EXIT_RUNTIME;
                    break;
                }
                if (!now.isBefore(next)) {
                    out.println(progress.line(fleet, clock, output, runner.takeMaxRoundMillis()));
                    next = next.plus(options.progress());
                }
                Instant until = end != null && end.isBefore(next) ? end : next;
                long ms = Math.max(1, Duration.between(Instant.now(), until).toMillis());
                synchronized (wake) {
                    if (!stopRequested) {
                        wake.wait(Math.min(ms, 1000));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the end: held events go out, every node still up shuts down cleanly, the spool is drained
        fleet.releaseAllHeld();
        List<String> upAtEnd = fleet.names(Fleet.State.UP);
        for (String name : upAtEnd) {
            fleet.stopNode(name);
        }
        long pending = output.spoolStatus().pending();
        if (pending > 0) {
            out.printf(Locale.ROOT, "waiting up to %ds for Kafka to acknowledge %,d spooled event(s)...%n",
                    DRAIN.toSeconds(), pending);
        }
        boolean drained = false;
        try {
            drained = output.drain(DRAIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SpoolStatus spool = output.spoolStatus();
        summary(fleet, clock, output, spool, manifest, spoolDir, tempSpool && drained, upAtEnd.size());
        output.close();
        if (manifest != null) {
            try {
                manifest.close();
            } catch (IOException e) {
                System.err.println("simulate: cannot finish the manifest " + manifest.file() + ": " + e.getMessage());
                code = EXIT_IO;
            }
        }
        if (tempSpool && drained) {
            deleteTree(spoolDir);
        }
        if (!drained && code == 0) {
            code = EXIT_RUNTIME;
        }
        return code;
    }

    private void banner(Fleet fleet, SimClock clock, long seed, Path spoolDir, boolean tempSpool) {
        Shape s = options.shape();
        out.printf(Locale.ROOT, "simulating %,d node(s) of cluster '%s' every %s: %d disks, %d filesystems, %d "
                        + "interfaces, %d pods, %d thermal zone(s) each; %d with a fault%n", options.nodes(),
                options.cluster(), human(options.interval()), s.disks(), s.filesystems(), s.interfaces(), s.pods(),
                s.thermalZones(), fleet.nodes().stream().filter(n -> n.fault() != Fault.NONE).count());
        out.printf(Locale.ROOT, "events to topic %smetrics at %s, through the spool in %s%s; seed %d%n",
                config.topicPrefix(), config.producer().get("bootstrap.servers"), spoolDir,
                tempSpool ? " (temporary)" : "", seed);
        if (clock.multiplier() == 1) {
            out.printf(Locale.ROOT, "simulated time is the wall clock%s%n", options.duration() == null ? ""
                    : "; running for " + human(options.duration()));
        } else {
            Instant simEnd = clock.multiplier() > 1 ? clock.wallStart().plus(options.duration()) : null;
            out.printf(Locale.ROOT, "simulated time runs %sx the wall clock from %s%s%n",
                    trim(clock.multiplier()), clock.simStart().truncatedTo(ChronoUnit.SECONDS),
                    simEnd != null ? " and reaches now at the end (" + simEnd.truncatedTo(ChronoUnit.SECONDS) + ")"
                            : ", falling behind it");
            if (clock.multiplier() > 1 && Duration.between(clock.simStart(), clock.wallStart()).toDays() >= 7) {
                out.println("warning: the first events are more than 7 days old; the processor rejects events older "
                        + "than NODEPULSE_MAX_AGE (7d by default)");
            }
        }
        out.printf(Locale.ROOT, "churn %s/h (%s of leaves silent), reboots %s/h, agent restarts %s/h; duplicates %s, "
                        + "late %s; ticks %s%n", trim(options.churnPerHour()), trim(options.silentLeaveFraction()),
                trim(options.rebootsPerHour()), trim(options.restartsPerHour()), trim(options.duplicateFraction()),
                trim(options.lateFraction()), options.stagger() ? "staggered over the interval"
                        : "aligned to the interval (as the agent)");
        out.flush();
    }

    /** Progress lines: totals and rates since the previous line. */
    private static final class Progress {
        private final Instant start;
        private long lastEvents;
        private long lastAcked;
        private long lastNanos = System.nanoTime();

        Progress(Instant start) {
            this.start = start;
        }

        String line(Fleet fleet, SimClock clock, FleetOutput output, long maxRound) {
            Fleet.Stats s = fleet.stats();
            long acked = output.acknowledged();
            long now = System.nanoTime();
            double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
            double rate = (s.events() - lastEvents) / secs;
            double ackRate = (acked - lastAcked) / secs;
            lastEvents = s.events();
            lastAcked = acked;
            lastNanos = now;
            SpoolStatus spool = output.spoolStatus();
            PublisherStatus p = output.publisherStatus();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "[%s] sim %s  nodes %,d up  events %,d (%,.0f/s)  acked %,d (%,.0f/s)  spool backlog %,d  "
                            + "dup %,d late %,d held %,d  joined %d left %d (+%d silent)  reboots %d restarts %d",
                    clockText(Duration.between(start, clock.wallNow())), clock.now().truncatedTo(ChronoUnit.SECONDS),
                    s.up(), s.events(), rate, acked, ackRate, spool.pending(), s.duplicates(),
                    s.late(), s.heldNow(), s.joined(), s.stoppedCleanly(), s.wentSilent(), s.reboots(),
                    s.restartsClean() + s.restartsCrash()));
            if (maxRound > 1000) {
                sb.append(String.format(Locale.ROOT, "  (behind: a round took %,d ms)", maxRound));
            }
            if (p.failure() != null) {
                sb.append("  kafka failing since ").append(Instant.ofEpochMilli(p.failingSinceMillis())
                        .truncatedTo(ChronoUnit.SECONDS)).append(": ").append(p.failure());
            }
            if (output.dropped() > 0) {
                sb.append(String.format(Locale.ROOT, "  DROPPED %,d", output.dropped()));
            }
            return sb.toString();
        }
    }

    private void summary(Fleet fleet, SimClock clock, FleetOutput output, SpoolStatus spool, Manifest manifest,
                         Path spoolDir, boolean spoolRemoved, int upAtEnd) {
        Fleet.Stats s = fleet.stats();
        Duration wall = Duration.between(clock.wallStart(), clock.wallNow());
        out.println();
        out.printf(Locale.ROOT, "summary: %s of simulated time (%s to %s) in %s%n",
                human(Duration.between(clock.simStart(), clock.now())), clock.simStart().truncatedTo(ChronoUnit.SECONDS),
                clock.now().truncatedTo(ChronoUnit.SECONDS), human(wall));
        out.printf(Locale.ROOT, "  events: %,d made (%,.1f/s), %,d appended to the spool: %,d duplicates, %,d late "
                        + "(held until their 1-minute window closed), %,d held and sent early%n", s.events(),
                s.events() / Math.max(1e-3, wall.toMillis() / 1000.0), s.appended(), s.duplicates(), s.late(),
                s.heldReleasedEarly());
        out.printf(Locale.ROOT, "  kafka: %,d acknowledged, %,d re-sent, %,d dropped, %,d still pending in the spool%s%n",
                output.acknowledged(), output.resent(), output.dropped(), spool.pending(),
                spool.pending() > 0 ? " (" + spoolDir + "; a later run with NODEPULSE_SPOOL_DIR=" + spoolDir
                        + " sends them first)" : "");
        out.printf(Locale.ROOT, "  nodes: %,d at the start, %,d joined, %,d left cleanly, %,d went silent, %,d "
                        + "reboots, %,d agent restarts (%,d clean, %,d crash); %,d were up at the end and shut down "
                        + "cleanly%n", options.nodes(), s.joined(), s.stoppedCleanly() - upAtEnd, s.wentSilent(),
                s.reboots(), s.restartsClean() + s.restartsCrash(), s.restartsClean(), s.restartsCrash(), upAtEnd);
        List<Fleet.NodeView> nodes = fleet.nodes();
        if (nodes.size() <= 20) {
            out.println("  per node (run id: seq range):");
            for (Fleet.NodeView n : nodes) {
                StringBuilder sb = new StringBuilder();
                for (Fleet.Run r : n.runs()) {
                    if (r.firstSeq() == 0) {
                        continue;
                    }
                    sb.append(sb.length() == 0 ? "" : ", ").append(r.runId()).append(": ").append(r.firstSeq())
                            .append("..").append(r.lastSeq());
                }
                out.printf(Locale.ROOT, "    %-16s %-8s %s%s%n", n.name(), n.state(), sb,
                        n.fault() == Fault.NONE ? "" : "  (" + n.fault().name().toLowerCase(Locale.ROOT) + ")");
            }
        }
        if (manifest != null) {
            out.println("  every (node, run id, seq) sent is in " + manifest.file());
        } else if (nodes.size() > 20) {
            out.println("  per-node (run id, seq) ranges: run with --manifest FILE to get every event listed");
        }
        if (spoolRemoved) {
            out.println("  the temporary spool " + spoolDir + " was empty and is removed");
        }
        out.flush();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return d.toMillis() % 1000 == 0 || s >= 10 ? s + "s" : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + "m" : s / 60 + "m" + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
        }
        return s / 86_400 + "d" + (s % 86_400 / 3600 == 0 ? "" : s % 86_400 / 3600 + "h");
    }

    private static String clockText(Duration d) {
        long s = d.toSeconds();
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
