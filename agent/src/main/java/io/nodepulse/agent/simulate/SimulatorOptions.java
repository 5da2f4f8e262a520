package io.nodepulse.agent.simulate;

import io.nodepulse.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The simulator's command line. {@link #parse} checks every flag and reports all problems at once
 * ({@link UsageException}).
 *
 * @param nodes                fleet size at the start (and the size churn keeps it near)
 * @param interval             each node's collection interval
 * @param duration             how long to run (wall clock); null: until interrupted
 * @param rateMultiplier       simulated time runs this many times faster than the wall clock
 * @param shape                devices per node
 * @param duplicateFraction    share of events sent twice
 * @param lateFraction         share of events held back until their 1-minute window closed
 * @param lateGrace            the processor's 1-minute grace (NODEPULSE_ROLLUP_GRACE_1M), for late events
 * @param churnPerHour         share of nodes replaced per simulated hour
 * @param silentLeaveFraction  share of leaving nodes that vanish without a SHUTDOWN event
 * @param rebootsPerHour       share of nodes rebooting per simulated hour
 * @param restartsPerHour      share of nodes whose agent restarts per simulated hour
 * @param crashRestartFraction share of agent restarts that are crashes
 * @param faultyFraction       share of nodes with a lasting fault
 * @param stagger              spread the nodes' ticks over the interval
 * @param seed                 seed of all randomness; null: drawn at random (and printed)
 * @param cluster              cluster name of every node
 * @param nodePrefix           node names are the prefix and a serial number
 * @param manifest             file listing every event sent; null: none
 * @param progress             how often progress is printed
 * @param help                 print the usage and exit
 */
public record SimulatorOptions(int nodes, Duration interval, Duration duration, double rateMultiplier, Shape shape,
                               double duplicateFraction, double lateFraction, Duration lateGrace,
                               double churnPerHour, double silentLeaveFraction, double rebootsPerHour,
                               double restartsPerHour, double crashRestartFraction, double faultyFraction,
                               boolean stagger, Long seed, String cluster, String nodePrefix, Path manifest,
                               Duration progress, boolean help) {

    /** Bad command-line arguments; the message lists every problem. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern WHOLE = Pattern.compile("[+-]?(\\d+|\\d{1,3}(,\\d{3})+|\\d{1,3}(_\\d{3})+)");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,40}");

    /** Flag, its value's form, default and meaning, for --help and for parsing. */
    private static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

    static {
        flag("--nodes", "N", null, "virtual nodes at the start (required; 1 to 1,000,000)");
        flag("--interval", "DURATION", "10s", "each node's collection interval, whole seconds (1s to 1h)");
        flag("--duration", "DURATION", null, "how long to run (wall clock); default: until Ctrl-C");
        flag("--rate-multiplier", "X", "1", "simulated time runs X times as fast as the wall clock; above 1 it "
                + "needs --duration and starts (X-1) x duration in the past, so it reaches now at the end");
        flag("--disks", "N", "4", "block devices per node");
        flag("--filesystems", "N", "3", "filesystems per node");
        flag("--interfaces", "N", "2", "network interfaces per node");
        flag("--pods", "N", "30", "pods per node (ended pods are replaced)");
        flag("--thermal-zones", "N", "1", "thermal zones per node");
        flag("--duplicate-fraction", "F", "0.01", "share of events sent twice (0 to 1)");
        flag("--late-fraction", "F", "0.005", "share of events held back until their 1-minute window has closed");
        flag("--late-grace", "DURATION", "30s", "the processor's NODEPULSE_ROLLUP_GRACE_1M: late events are "
                + "held until window end + this + 2 intervals");
        flag("--churn", "F", "0.05", "share of nodes replaced per simulated hour (as many join as leave)");
        flag("--silent-leave-fraction", "F", "0.3", "share of leaving nodes that vanish without a SHUTDOWN event");
        flag("--reboot-rate", "F", "0.01", "share of nodes rebooting per simulated hour");
        flag("--restart-rate", "F", "0.02", "share of nodes whose agent restarts per simulated hour");
        flag("--crash-restart-fraction", "F", "0.3", "share of agent restarts that are crashes (no SHUTDOWN)");
        flag("--faulty-fraction", "F", "0.05", "share of nodes with a lasting fault (CPU hog, full "
                + "filesystem, memory pressure, I/O hog) that the bundled alert rules catch");
        flag("--stagger", null, null, "spread the nodes' ticks over the interval (the agent aligns every node's "
                + "ticks to multiples of the interval, so a real fleet reports in bursts)");
        flag("--seed", "N", "random", "seed of all randomness (node names, values, run ids); printed at start");
        flag("--cluster", "NAME", "sim", "cluster name of every node");
        flag("--node-prefix", "PREFIX", "sim-", "node names are PREFIX and a 5-digit serial number");
        flag("--manifest", "FILE", null, "write every event sent (node, run id, seq, time, delivery) to FILE");
        flag("--progress", "DURATION", "5s", "how often to print progress");
        flag("--help", null, null, "print this and exit");
    }

    private static void flag(String name, String value, String fallback, String help) {
        FLAGS.put(name, new String[] {value, fallback, help});
    }

    public static SimulatorOptions parse(String... args) throws UsageException {
        Map<String, String> given = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("-h")) {
                name = "--help";
            }
            String[] spec = FLAGS.get(name);
            if (spec == null) {
                problems.add("unknown " + (a.startsWith("-") ? "option '" + name + "'" : "argument '" + a + "'"));
                continue;
            }
            if (spec[0] == null) {
                if (value != null) {
                    problems.add(name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    problems.add(name + " needs a value (" + spec[0] + ")");
                    continue;
                }
                value = args[++i];
            }
            if (given.put(name, value) != null) {
                problems.add(name + " is given more than once");
            }
        }
        if (given.containsKey("--help")) {
            return defaults(true);
        }
        Parser p = new Parser(given, problems);
        Integer nodes = p.integer("--nodes", null, 1, 1_000_000);
        if (nodes == null && !given.containsKey("--nodes")) {
            problems.add("--nodes is required: how many virtual nodes to simulate");
        }
        Duration interval = p.duration("--interval", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofHours(1));
        if (interval != null && interval.toMillis() % 1000 != 0) {
            problems.add("--interval " + given.get("--interval") + " must be whole seconds, as the agent's");
        }
        Duration duration = p.duration("--duration", null, Duration.ofSeconds(1), Duration.ofDays(3650));
        Double multiplier = p.decimal("--rate-multiplier", 1.0, 0.001, 100_000);
        if (multiplier != null && multiplier > 1 && duration == null && !given.containsKey("--duration")) {
            problems.add("--rate-multiplier " + given.get("--rate-multiplier") + " needs --duration: simulated time "
                    + "starts (X-1) x duration in the past so that it reaches now when the run ends, and never "
                    + "runs ahead of the clock (the processor rejects events from the future)");
        }
        Integer disks = p.integer("--disks", 4, 0, 64);
        Integer filesystems = p.integer("--filesystems", 3, 0, 64);
        Integer interfaces = p.integer("--interfaces", 2, 0, 64);
        Integer pods = p.integer("--pods", 30, 0, 1000);
        Integer zones = p.integer("--thermal-zones", 1, 0, 64);
        Double dup = p.decimal("--duplicate-fraction", 0.01, 0, 1);
        Double lateF = p.decimal("--late-fraction", 0.005, 0, 1);
        Duration lateGrace = p.duration("--late-grace", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1));
        Double churn = p.decimal("--churn", 0.05, 0, 1000);
        Double silent = p.decimal("--silent-leave-fraction", 0.3, 0, 1);
        Double reboots = p.decimal("--reboot-rate", 0.01, 0, 1000);
        Double restarts = p.decimal("--restart-rate", 0.02, 0, 1000);
        Double crash = p.decimal("--crash-restart-fraction", 0.3, 0, 1);
        Double faulty = p.decimal("--faulty-fraction", 0.05, 0, 1);
        boolean stagger = given.containsKey("--stagger");
        Long seed = null;
        if (given.containsKey("--seed")) {
            try {
                seed = Long.parseLong(given.get("--seed").strip());
            } catch (NumberFormatException e) {
                problems.add("--seed '" + given.get("--seed") + "' is not a whole number");
            }
        }
        String cluster = given.getOrDefault("--cluster", "sim");
        if (!NAME.matcher(cluster).matches()) {
            problems.add("--cluster '" + cluster + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit");
        }
        String prefix = given.getOrDefault("--node-prefix", "sim-");
        if (!PREFIX.matcher(prefix).matches()) {
            problems.add("--node-prefix '" + prefix + "' must be 1-41 letters, digits, '.', '_' or '-', starting "
                    + "with a letter or digit");
        }
        Path manifest = null;
        if (given.containsKey("--manifest")) {
            manifest = Path.of(given.get("--manifest"));
            Path dir = manifest.toAbsolutePath().getParent();
            if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
                problems.add("--manifest " + manifest + ": directory " + dir + " does not exist");
            }
        }
        Duration progress = p.duration("--progress", Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofHours(1));
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("\n", problems));
        }
        return new SimulatorOptions(nodes, interval, duration, multiplier,
                new Shape(disks, filesystems, interfaces, pods, zones), dup, lateF, lateGrace, churn, silent, reboots,
                restarts, crash, faulty, stagger, seed, cluster, prefix, manifest, progress, false);
    }

    private static SimulatorOptions defaults(boolean help) {
        return new SimulatorOptions(0, Duration.ofSeconds(10), null, 1, Shape.DEFAULT, 0.01, 0.005,
                Duration.ofSeconds(30), 0.05, 0.3, 0.01, 0.02, 0.3, 0.05, false, null, "sim", "sim-", null,
                Duration.ofSeconds(5), help);
    }

    /** The --help text. */
    public static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: simulate --nodes N [--interval 10s] [--duration D] [--rate-multiplier X] [options]\n")
                .append("Simulated nodes send NodeMetrics through the agent's own encoder, spool and producer to\n")
                .append("Kafka; only the collectors are synthetic. Kafka and the spool are configured like the\n")
                .append("agent's (KAFKA_*, NODEPULSE_TOPIC_PREFIX, NODEPULSE_SPOOL_*, NODEPULSE_CREATE_TOPICS; see\n")
                .append("agent/README.md, \"Fleet simulator\").\n\nOptions:\n");
        for (Map.Entry<String, String[]> e : FLAGS.entrySet()) {
            String[] s = e.getValue();
            String left = "  " + e.getKey() + (s[0] == null ? "" : " " + s[0]);
            sb.append(String.format(Locale.ROOT, "%-30s %s%s%n", left, s[2], s[1] == null ? "" : " [" + s[1] + "]"));
        }
        return sb.toString();
    }

    private record Parser(Map<String, String> given, List<String> problems) {
        Integer integer(String name, Integer fallback, int min, int max) {
            return read(name, fallback, "a whole number", Parser::wholeNumber, n -> n >= min && n <= max,
                    fmt(min) + " to " + fmt(max));
        }

        /** Digits, optionally grouped by threes with ',' or '_' (1000, 1,000, 1_000); null for anything else. */
        private static Integer wholeNumber(String v) {
            String s = v.strip();
            if (!WHOLE.matcher(s).matches()) {
                return null;
            }
            return Integer.parseInt(s.replace(",", "").replace("_", ""));
        }

        Double decimal(String name, Double fallback, double min, double max) {
            return read(name, fallback, "a number", v -> Double.parseDouble(v.strip()), d -> d >= min && d <= max,
                    fmt(min) + " to " + fmt(max));
        }

        Duration duration(String name, Duration fallback, Duration min, Duration max) {
            return read(name, fallback, "a duration like 500ms, 10s, 5m, 2h or 1d", ConfigReader::parseDuration,
                    d -> d.compareTo(min) >= 0 && d.compareTo(max) <= 0,
                    ConfigReader.format(min) + " to " + ConfigReader.format(max));
        }

        /**
         * The flag's value, or {@code fallback} when it is absent or wrong; a wrong value is added to the problems.
         *
         * @param parse gives null or throws NumberFormatException for a value that is not {@code what}
         */
        private <T> T read(String name, T fallback, String what, Function<String, T> parse, Predicate<T> inRange,
                           String range) {
            String v = given.get(name);
            if (v == null) {
                return fallback;
            }
            T parsed;
            try {
                parsed = parse.apply(v);
            } catch (NumberFormatException e) {
                parsed = null;
            }
            if (parsed == null) {
                problems.add(name + " '" + v + "' is not " + what);
                return fallback;
            }
            if (!inRange.test(parsed)) {
                problems.add(name + " " + v + " is out of range (" + range + ")");
                return fallback;
            }
            return parsed;
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? String.format(Locale.ROOT, "%,d", (long) d) : Double.toString(d);
        }
    }
}
