package io.nodepulse.agent.bench;

import com.github.luben.zstd.Zstd;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.nodepulse.agent.collect.CollectSettings;
import io.nodepulse.agent.collect.NodeCollector;
import io.nodepulse.agent.collect.PodFixtureGenerator;
import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.wire.AvroSerde;
import io.nodepulse.wire.WireSerdes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Agent collection versus Debian's prometheus-node-exporter on this machine, in one run: CPU time per
 * collection cycle against CPU time per full scrape, and bytes per node event against the scrape's text.
 * Then the same with a 110-pod cgroup tree. Prints a report; asserts nothing.
 *
 * <p>Both sides are measured in rounds that alternate (agent cycles, then node_exporter scrapes), so that
 * load from elsewhere on a shared machine falls on both. The agent's CPU is the whole JVM's
 * (CLOCK_PROCESS_CPUTIME_ID: collection, JIT and GC threads); node_exporter's is utime + stime of its process
 * from /proc/&lt;pid&gt;/stat, which also covers its HTTP serving and text encoding.
 *
 * <p>Options: {@code --rounds 5 --cycles 100 --scrapes 100 --warmup 300 --pods 110
 * --node-exporter /usr/bin/prometheus-node-exporter --port 19100}.
 */
public final class CollectBench {
    private static final double CLOCK_TICKS = 100.0;

    private int rounds = 5;
    private int cycles = 100;
    private int scrapes = 100;
    private int warmup = 300;
    private int pods = 110;
    private String nodeExporter = "/usr/bin/prometheus-node-exporter";
    private int port = 19100;

    /** CLOCK_PROCESS_CPUTIME_ID: all threads of this JVM, in nanoseconds (times(2) only counts 10 ms ticks). */
    private static final class Clock {
        static {
            Native.register(Clock.class, "c");
        }

        static native int clock_gettime(int clock, Pointer timespec);
    }

    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private final Memory timespec = new Memory(16);

    private long processCpuNanos() {
        Clock.clock_gettime(CLOCK_PROCESS_CPUTIME_ID, timespec);
        return timespec.getLong(0) * 1_000_000_000L + timespec.getLong(8);
    }
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AvroSerde<NodeMetrics> serde = WireSerdes.offline().nodeMetrics();
    private final String runId = UUID.randomUUID().toString();
    private long seq;

    public static void main(String[] args) throws Exception {
        CollectBench b = new CollectBench();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> b.rounds = Integer.parseInt(v);
                case "--cycles" -> b.cycles = Integer.parseInt(v);
                case "--scrapes" -> b.scrapes = Integer.parseInt(v);
                case "--warmup" -> b.warmup = Integer.parseInt(v);
                case "--pods" -> b.pods = Integer.parseInt(v);
                case "--node-exporter" -> b.nodeExporter = v;
                case "--port" -> b.port = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        b.run();
    }

    /** CPU and wall time per unit of work, over all rounds, plus the per-round CPU figures. */
    record Cost(double cpuMillis, double wallMillis, List<Double> roundCpuMillis) {
    }

    private void run() throws Exception {
        System.out.println("# Agent collection benchmark");
        System.out.println();
        System.out.println("- machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, kernel " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + ", flags " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.println("- load average at start: " + Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.println("- rounds " + rounds + " x (" + cycles + " agent cycles, " + scrapes
                + " node_exporter scrapes), after " + warmup + " warm-up cycles and 20 warm-up scrapes");

        Process ne = startNodeExporter();
        Path podTree = Files.createTempDirectory("nodepulse-bench-pods");
        try {
            String scrape = scrapeOnce();
            for (int i = 0; i < 19; i++) {
                scrapeOnce();
            }
            CollectSettings host = CollectSettings.forHostRoot(Path.of("/proc"), Path.of("/sys"), Path.of("/"));
            PodFixtureGenerator.write(podTree.resolve("cgroup"), podTree.resolve("pods"), pods, 42);
            CollectSettings withPods = host.withCgroupRoot(podTree.resolve("cgroup"))
                    .withPodLogDir(podTree.resolve("pods"));

            System.out.println();
            System.out.println("## This host (" + hostPodsNote(host) + ")");
            scenario(host, ne, scrape);
            System.out.println();
            System.out.println("## With " + pods + " pods (fixture cgroup tree under " + podTree
                    + "; /proc, /sys and / are this host's)");
            double podCycle = scenario(withPods, ne, scrape);
            System.out.println();
            fileReadCalibration(podTree.resolve("cgroup"), podCycle);
            System.out.println();
            System.out.println("Load average at end: " + Files.readString(Path.of("/proc/loadavg")).strip());
        } finally {
            ne.destroy();
            if (!ne.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                ne.destroyForcibly();
            }
            deleteTree(podTree);
        }
    }

    /** Measures one scenario and prints its tables; returns the agent's CPU ms per cycle (collect + encode). */
    private double scenario(CollectSettings settings, Process ne, String scrape) throws Exception {
        try (NodeCollector collector = NodeCollector.create(settings)) {
            for (int i = 0; i < warmup; i++) {
                encode(complete(collector.collect(Instant.now())));
            }
            List<Double> collectOnly = new ArrayList<>();
            List<Double> withEncode = new ArrayList<>();
            List<Double> neRounds = new ArrayList<>();
            double wallCollect = 0;
            double wallEncode = 0;
            double wallScrape = 0;
            java.util.Map<String, Double> perCollector = new java.util.LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                long cpu0 = processCpuNanos();
                long wall0 = System.nanoTime();
                for (int i = 0; i < cycles; i++) {
                    complete(collector.collect(Instant.now()));
                }
                long cpu1 = processCpuNanos();
                long wall1 = System.nanoTime();
                for (int i = 0; i < cycles; i++) {
                    NodeMetrics e = complete(collector.collect(Instant.now()));
                    encode(e);
                    for (var c : e.getCollectors()) {
                        perCollector.merge(c.getName(), c.getDurationMicros() / (double) (cycles * rounds), Double::sum);
                    }
                }
                long cpu2 = processCpuNanos();
                long wall2 = System.nanoTime();
                collectOnly.add((cpu1 - cpu0) / 1e6 / cycles);
                withEncode.add((cpu2 - cpu1) / 1e6 / cycles);
                wallCollect += (wall1 - wall0) / 1e6 / cycles / rounds;
                wallEncode += (wall2 - wall1) / 1e6 / cycles / rounds;

                long ticks0 = processTicks(ne.pid());
                long w0 = System.nanoTime();
                for (int i = 0; i < scrapes; i++) {
                    scrapeOnce();
                }
                long ticks1 = processTicks(ne.pid());
                wallScrape += (System.nanoTime() - w0) / 1e6 / scrapes / rounds;
                neRounds.add((ticks1 - ticks0) / CLOCK_TICKS * 1000 / scrapes);
            }
            Cost agent = new Cost(mean(withEncode), wallEncode, withEncode);
            Cost exporter = new Cost(mean(neRounds), wallScrape, neRounds);

            NodeMetrics event = complete(collector.collect(Instant.now()));
            byte[] avro = encode(event);
            byte[] single = Zstd.compress(avro, 3);
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 100; i++) {
                if (!event.getPods().isEmpty()) {
                    // Fixture files do not change by themselves; move the pods on so that events differ.
                    PodFixtureGenerator.advance(settings.cgroupRoot(), 10, random);
                }
                batch.writeBytes(encode(complete(collector.collect(Instant.now()))));
            }
            double batched = Zstd.compress(batch.toByteArray(), 3).length / 100.0;
            String podText = PodText.render(event);
            String sameFamilies = NodeExporterText.sameFamilies(scrape);
            long sameBytes = NodeExporterText.sampleBytes(sameFamilies)
                    + NodeExporterText.sampleBytes(podText);
            long fullBytes = scrape.getBytes(StandardCharsets.UTF_8).length + podText.length();
            long sampleBytes = scrape.lines().filter(l -> !l.startsWith("#"))
                    .mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum()
                    + podText.lines().filter(l -> !l.startsWith("#")).mapToLong(l -> l.length() + 1).sum();
            long samples = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count()
                    + podText.lines().filter(l -> !l.startsWith("#")).count();
            String textName = event.getPods().isEmpty() ? "node_exporter" : "node_exporter + pod text";

            System.out.println();
            System.out.println("Event: " + event.getDisks().size() + " disks, " + event.getFilesystems().size()
                    + " filesystems, " + event.getInterfaces().size() + " interfaces, " + event.getPods().size()
                    + " pods, per-core " + (settings.perCore() ? "on" : "off") + "; collectors "
                    + event.getCollectors().stream().filter(c -> !c.getOk()).map(c -> c.getName() + " FAILED: "
                    + c.getError()).toList());
            System.out.println();
            System.out.println("| CPU per cycle / scrape | ms (mean of rounds) | per round | wall ms |");
            System.out.println("|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| agent: collect only | %.3f | %s | %.3f |%n", mean(collectOnly),
                    fmt(collectOnly), wallCollect);
            System.out.printf(Locale.ROOT, "| agent: collect + Avro encode | %.3f | %s | %.3f |%n", agent.cpuMillis(),
                    fmt(agent.roundCpuMillis()), agent.wallMillis());
            System.out.printf(Locale.ROOT, "| node_exporter: full scrape | %.3f | %s | %.3f |%n", exporter.cpuMillis(),
                    fmt(exporter.roundCpuMillis()), exporter.wallMillis());
            System.out.printf(Locale.ROOT, "| **ratio agent / node_exporter** | **%.2f×** | %s | |%n",
                    agent.cpuMillis() / exporter.cpuMillis(), ratios(agent.roundCpuMillis(), exporter.roundCpuMillis()));
            System.out.println();
            System.out.println("Wall µs per collector (mean): " + String.join(", ", perCollector.entrySet().stream()
                    .map(en -> String.format(Locale.ROOT, "%s %.0f", en.getKey(), en.getValue())).toList()));
            System.out.println();
            System.out.println("| Bytes per node event | bytes | vs samples-only text |");
            System.out.println("|---|---|---|");
            System.out.printf(Locale.ROOT, "| %s, full (%d samples, with HELP/TYPE) | %d | %.2f× |%n", textName,
                    samples, fullBytes, fullBytes / (double) sampleBytes);
            System.out.printf(Locale.ROOT, "| %s, samples only | %d | 1 |%n", textName, sampleBytes);
            System.out.printf(Locale.ROOT, "| %s, samples only, the agent's families only | %d | 1/%.1f |%n",
                    textName, sameBytes, sampleBytes / (double) sameBytes);
            System.out.printf(Locale.ROOT, "| agent Avro single-object encoding | %d | 1/%.1f (1/%.1f of the "
                    + "same families) |%n", avro.length, sampleBytes / (double) avro.length,
                    sameBytes / (double) avro.length);
            System.out.printf(Locale.ROOT, "| agent Avro, zstd level 3, one event | %d | 1/%.1f (1/%.1f) |%n",
                    single.length, sampleBytes / (double) single.length, sameBytes / (double) single.length);
            System.out.printf(Locale.ROOT, "| agent Avro, zstd level 3, batch of 100 events, per event | %.0f | "
                    + "1/%.1f (1/%.1f) |%n", batched, sampleBytes / batched, sameBytes / batched);
            System.out.println();
            System.out.println("Avro bytes by family: " + AvroSizes.byFamily(event, avro.length));
            return agent.cpuMillis();
        }
    }

    /**
     * Fixture files are regular files; a real node's cgroup files are generated by the kernel on each read.
     * This reads both kinds the way the agent does (pread at offset 0 on a file kept open) and the way a
     * reader that opens files each time does, and estimates the 110-pod cycle on a real node from the
     * difference. This host runs cgroup v1 for memory, so its v1 memory.stat stands in for v2's.
     */
    private void fileReadCalibration(Path cgroupTree, double measuredPodCycleMillis) throws IOException {
        Path fixtureMemoryStat;
        try (Stream<Path> s = Files.walk(cgroupTree)) {
            fixtureMemoryStat = s.filter(p -> p.getFileName().toString().equals("memory.stat")).findFirst()
                    .orElseThrow();
        }
        Path fixtureCpuStat = fixtureMemoryStat.resolveSibling("cpu.stat");
        Path fixtureSmall = fixtureMemoryStat.resolveSibling("memory.current");
        Path kernelCpuStat = firstReadable(Path.of("/sys/fs/cgroup/cpu.stat"), Path.of("/sys/fs/cgroup/unified/cpu.stat"));
        Path kernelMemoryStat = firstReadable(Path.of("/sys/fs/cgroup/memory.stat"),
                Path.of("/sys/fs/cgroup/memory/memory.stat"));
        Path kernelSmall = firstReadable(Path.of("/sys/fs/cgroup/memory.current"),
                Path.of("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
        System.out.println("## Cost of one file read, 20000 reads each");
        System.out.println();
        System.out.println("| file | kind | bytes | CPU µs, pread on an open file (the agent) | CPU µs, open + read + close |");
        System.out.println("|---|---|---|---|---|");
        double[] f = {row(fixtureCpuStat, "fixture"), row(fixtureMemoryStat, "fixture"), row(fixtureSmall, "fixture")};
        double[] k = {row(kernelCpuStat, "kernel"), row(kernelMemoryStat, "kernel"), row(kernelSmall, "kernel")};
        row(Path.of("/proc/stat"), "kernel");
        row(Path.of("/proc/self/mountinfo"), "kernel");
        if (k[0] > 0 && k[1] > 0 && k[2] > 0) {
            // Per pod: cpu.stat, memory.stat and four small files (cpu.max, memory.current, memory.max, memory.events).
            double extraMicros = (k[0] - f[0]) + (k[1] - f[1]) + 4 * (k[2] - f[2]);
            System.out.println();
            System.out.printf(Locale.ROOT, "Estimated 110-pod cycle with kernel cgroup files: %.3f ms measured on "
                    + "the fixture + %d pods x %.2f µs = %.3f ms%n", measuredPodCycleMillis, pods, extraMicros,
                    measuredPodCycleMillis + pods * extraMicros / 1000);
        }
    }

    private static Path firstReadable(Path... paths) {
        for (Path p : paths) {
            if (Files.isReadable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Prints one row and returns the pread cost in µs (0 when the file is missing). */
    private double row(Path p, String kind) throws IOException {
        if (p == null || !Files.isReadable(p)) {
            return 0;
        }
        byte[] buf = new byte[65536];
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(65536);
        int size = 0;
        double pread;
        double reopen;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
            for (int i = 0; i < 2000; i++) {
                size = pread(ch, direct);
            }
            long c0 = processCpuNanos();
            for (int i = 0; i < 20000; i++) {
                pread(ch, direct);
            }
            pread = (processCpuNanos() - c0) / 1e3 / 20000;
        }
        for (int i = 0; i < 2000; i++) {
            readAll(p, buf);
        }
        long c1 = processCpuNanos();
        for (int i = 0; i < 20000; i++) {
            readAll(p, buf);
        }
        reopen = (processCpuNanos() - c1) / 1e3 / 20000;
        String name = kind.equals("fixture") ? "<fixture pod>/" + p.getFileName() : p.toString();
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f |%n", name, kind, size, pread, reopen);
        return pread;
    }

    private static int pread(java.nio.channels.FileChannel ch, java.nio.ByteBuffer buf) throws IOException {
        buf.clear();
        long pos = 0;
        int r;
        while ((r = ch.read(buf, pos)) > 0) {
            pos += r;
        }
        return (int) pos;
    }

    private static int readAll(Path p, byte[] buf) throws IOException {
        int n = 0;
        try (var in = new java.io.FileInputStream(p.toString())) {
            int r;
            while ((r = in.read(buf, n, Math.min(8192, buf.length - n))) > 0) {
                n += r;
            }
        }
        return n;
    }

    private NodeMetrics complete(NodeMetrics.Builder b) {
        return b.setCluster("prod-eu-west-1").setNode("ip-10-0-1-23.eu-west-1.compute.internal").setRunId(runId)
                .setSeq(++seq).setEventTime(Instant.ofEpochMilli(System.currentTimeMillis() / 10_000 * 10_000))
                .setIntervalMs(10_000).setAgentVersion("0.1.0").setKind(EventKind.SAMPLE).build();
    }

    private byte[] encode(NodeMetrics e) {
        return serde.serialize("nodepulse.metrics", e);
    }

    private Process startNodeExporter() throws IOException, InterruptedException {
        Path log = Files.createTempFile("node-exporter", ".log");
        Process p = new ProcessBuilder(nodeExporter, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(nodeExporter + " exited: " + Files.readString(log));
            }
            try {
                scrapeOnce();
                System.out.println("- node_exporter: " + version() + ", pid " + p.pid() + ", port " + port
                        + ", default collectors, plain-text scrapes (no gzip)");
                return p;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(nodeExporter + " did not answer on port " + port + " within 30 s");
    }

    private String version() {
        try {
            Process v = new ProcessBuilder(nodeExporter, "--version").redirectErrorStream(true).start();
            String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            v.waitFor();
            return out.lines().findFirst().orElse("?").strip();
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private String scrapeOnce() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("scrape answered " + r.statusCode());
        }
        return r.body();
    }

    /** utime + stime of a process, in clock ticks, from /proc/&lt;pid&gt;/stat. */
    private static long processTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String hostPodsNote(CollectSettings s) {
        return "/proc, /sys, /; " + (Files.isDirectory(s.cgroupRoot().resolve("kubepods.slice"))
                || Files.isDirectory(s.cgroupRoot().resolve("kubepods")) ? "with its pods" : "no pods here");
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String fmt(List<Double> xs) {
        return String.join(" ", xs.stream().map(x -> String.format(Locale.ROOT, "%.3f", x)).toList());
    }

    private static String ratios(List<Double> a, List<Double> b) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(String.format(Locale.ROOT, "%.2f", a.get(i) / b.get(i)));
        }
        return String.join(" ", out);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
