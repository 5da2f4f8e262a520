package io.nodepulse.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads typed settings from an environment map and collects every problem before failing, so an operator
 * sees all mistakes at once. Conventions:
 * <ul>
 *   <li>{@code X_FILE} names a file whose content (trailing line ends removed) is the value of {@code X}, as
 *       Kubernetes Secrets are mounted. Values read from files are masked when printed.</li>
 *   <li>{@code NODEPULSE_CONFIG_FILE} names an optional file of {@code KEY=VALUE} lines; the environment
 *       wins over it.</li>
 *   <li>{@code KAFKA_*} variables map to Kafka client properties: {@code KAFKA_SECURITY_PROTOCOL} becomes
 *       {@code security.protocol}. A property whose name has an underscore is found too
 *       ({@code KAFKA_RACK_AWARE_ASSIGNMENT_TRAFFIC_COST}), and so is one whose name ends in {@code .file}
 *       ({@code KAFKA_SASL_OAUTHBEARER_ASSERTION_FILE}); any other {@code KAFKA_X_FILE} reads {@code KAFKA_X}
 *       from a file.</li>
 * </ul>
 */
public final class ConfigReader {
    public static final String CONFIG_FILE = "NODEPULSE_CONFIG_FILE";
    private static final String FILE_SUFFIX = "_FILE";
    private static final String KAFKA_PREFIX = "KAFKA_";
    private static final Pattern SECRET_NAME =
            Pattern.compile(".*(PASSWORD|SECRET|TOKEN|JAAS|CREDENTIAL|PRIVATE_KEY|KEY_PASSWORD|KEYSTORE_KEY).*",
                    Pattern.CASE_INSENSITIVE);
    /**
     * Variables of the local stack ({@code deploy/local/stack.sh env}), the launcher and the test kit, which share
     * the NODEPULSE_ namespace, and the database settings one shared environment gives the processor. They are
     * not misspellings, so {@link #rejectUnknown} lets them pass.
     */
    public static final Pattern TOOLING = Pattern.compile("NODEPULSE_(HOME|KAFKA_BOOTSTRAP|KAFKA_LIBS|KAFKA_PORT"
            + "|KAFKA_CONTROLLER_PORT|KAFKA_HEAP.*|KAFKA_START_TIMEOUT|PG_.*|JDBC_URL|DB_.*|KUSTOMIZE|PSQL|TMPDIR"
            + "|JAVA_OPTS|SIMULATOR_JAVA_OPTS|AGENT_PORT|PROCESSOR_PORT|KEEP_TEST_DATA|TRIXIE_ROOT|DEBIAN_MIRROR)");
    /** The processor's database settings; the reader's password (for people and dashboards) is not one. */
    private static final Pattern DATABASE = Pattern.compile("NODEPULSE_(JDBC_URL|DB_(?!READER_PASSWORD).*)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGT]i?B?|B)?", Pattern.CASE_INSENSITIVE);

    private final Map<String, String> values;
    private final Set<String> fromFiles = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> effective = new TreeMap<>();
    private final Set<String> masked = new HashSet<>();
    private final Set<String> asked = new HashSet<>();
    private final Map<String, String> resolved = new java.util.HashMap<>();

    private ConfigReader(Map<String, String> values) {
        this.values = values;
    }

    /** Reads from the environment map, the optional config file and {@code *_FILE} indirections. */
    public static ConfigReader fromEnv(Map<String, String> env) {
        Map<String, String> merged = new LinkedHashMap<>();
        List<String> early = new ArrayList<>();
        String file = env.get(CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            try {
                int lineNo = 0;
                for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                    lineNo++;
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#")) {
                        continue;
                    }
                    int eq = t.indexOf('=');
                    if (eq <= 0) {
                        early.add(CONFIG_FILE + " " + file + " line " + lineNo + ": expected KEY=VALUE");
                        continue;
                    }
                    merged.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
                }
            } catch (IOException e) {
                early.add(CONFIG_FILE + ": cannot read " + file + ": " + e.getMessage());
            }
        }
        merged.putAll(env);
        ConfigReader reader = new ConfigReader(merged);
        reader.problems.addAll(early);
        return reader;
    }

    /**
     * The value of {@code name}, from {@code name_FILE} when that is set. Files are read only for settings
     * somebody asks for, so an unrelated {@code *_FILE} variable in the environment never matters.
     */
    private String lookup(String name) {
        asked.add(name);
        asked.add(name + FILE_SUFFIX);
        if (resolved.containsKey(name)) {
            return resolved.get(name);
        }
        String value = values.get(name);
        String path = values.get(name + FILE_SUFFIX);
        if (path != null && !(name + FILE_SUFFIX).equals(CONFIG_FILE)) {
            if (value != null) {
                problems.add(name + FILE_SUFFIX + " and " + name + " are both set; set only one");
            } else {
                try {
                    String content = Files.readString(Path.of(path), StandardCharsets.UTF_8);
                    value = stripLineEnds(content);
                    fromFiles.add(name);
                    if (value.isEmpty()) {
                        problems.add(name + FILE_SUFFIX + ": " + path + " is empty; put the value in it or unset "
                                + name + FILE_SUFFIX);
                    }
                } catch (IOException | RuntimeException e) {
                    problems.add(name + FILE_SUFFIX + ": cannot read " + path + " (" + e.getClass().getSimpleName()
                            + ": " + e.getMessage() + "); mount the secret or unset " + name + FILE_SUFFIX);
                }
            }
        }
        resolved.put(name, value);
        return value;
    }

    /** The raw value, or null. Does not record it in the effective configuration. */
    public String raw(String name) {
        return lookup(name);
    }

    public boolean isSet(String name) {
        String v = lookup(name);
        return v != null && !v.isBlank();
    }

    private <T> T read(String name, T fallback, String expected, Function<String, T> parse) {
        String v = lookup(name);
        if (v == null || v.isBlank()) {
            record(name, fallback instanceof Duration d ? format(d) : fallback == null ? null : String.valueOf(fallback));
            return fallback;
        }
        try {
            T parsed = parse.apply(v.strip());
            record(name, v.strip());
            return parsed;
        } catch (RuntimeException e) {
            boolean secret = isSecret(name);
            problems.add(name + "='" + (secret ? "****" : v) + "' is not " + expected
                    + (e.getMessage() != null && !secret ? " (" + e.getMessage() + ")" : ""));
            return fallback;
        }
    }

    private void record(String name, String value) {
        effective.put(name, value);
        if (isSecret(name)) {
            masked.add(name);
        }
    }

    private boolean isSecret(String name) {
        return fromFiles.contains(name) || SECRET_NAME.matcher(name).matches();
    }

    public String string(String name, String fallback) {
        return read(name, fallback, "a string", s -> s);
    }

    /** A string that must be set. */
    public String required(String name, String what) {
        String v = string(name, null);
        if (v == null) {
            problems.add(name + " is required: " + what);
        }
        return v;
    }

    /** A string that is masked when the configuration is printed. */
    public String secret(String name, String fallback) {
        masked.add(name);
        // as given, spaces included: only a file's trailing line ends are not part of it
        String v = lookup(name);
        if (v == null || v.isEmpty()) {
            record(name, fallback);
            return fallback;
        }
        record(name, v);
        return v;
    }

    public int integer(String name, int fallback, int min, int max) {
        Integer v = read(name, fallback, "an integer between " + min + " and " + max, s -> {
            int i = Integer.parseInt(s);
            if (i < min || i > max) {
                throw new IllegalArgumentException("out of range");
            }
            return i;
        });
        return v;
    }

    public double decimal(String name, double fallback, double min, double max) {
        return read(name, fallback, "a number between " + min + " and " + max, s -> {
            double d = Double.parseDouble(s);
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        });
    }

    public boolean bool(String name, boolean fallback) {
        return read(name, fallback, "true or false", s -> {
            if (s.equalsIgnoreCase("true")) {
                return true;
            }
            if (s.equalsIgnoreCase("false")) {
                return false;
            }
            throw new IllegalArgumentException((String) null);
        });
    }

    /** A duration such as 500ms, 10s, 5m, 2h or 7d. */
    public Duration duration(String name, Duration fallback, Duration min) {
        return read(name, fallback, "a duration like 500ms, 10s, 5m, 2h or 7d, at least " + format(min), s -> {
            Duration d = parseDuration(s);
            if (d == null) {
                throw new IllegalArgumentException((String) null);
            }
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException("too short");
            }
            return d;
        });
    }

    /** A size in bytes such as 268435456, 256MiB, 512KiB or 2GiB. */
    public long bytes(String name, long fallback, long min) {
        return read(name, fallback, "a size like 256MiB, 512KiB or 1073741824, at least " + min + " bytes", s -> {
            Matcher m = SIZE.matcher(s);
            if (!m.matches()) {
                throw new IllegalArgumentException((String) null);
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT).substring(0, 1);
            long mult = switch (unit) {
                case "K" -> 1L << 10;
                case "M" -> 1L << 20;
                case "G" -> 1L << 30;
                case "T" -> 1L << 40;
                default -> 1L;
            };
            long v = Math.multiplyExact(n, mult);
            if (v < min) {
                throw new IllegalArgumentException("too small");
            }
            return v;
        });
    }

    public Pattern pattern(String name, String fallback) {
        String regex = read(name, fallback, "a regular expression", s -> {
            try {
                Pattern.compile(s);
                return s;
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(e.getDescription());
            }
        });
        return Pattern.compile(regex == null ? fallback : regex);
    }

    public Path path(String name, String fallback) {
        return read(name, fallback == null ? null : Path.of(fallback), "a path", Path::of);
    }

    public <E extends Enum<E>> E oneOf(String name, Class<E> type, E fallback) {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        return read(name, fallback, "one of " + names,
                s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    /** Records a problem found by the caller, e.g. a rule between two settings. */
    public void problem(String message) {
        problems.add(message);
    }

    /**
     * Maps every {@code KAFKA_*} variable to a Kafka client property and checks the name against
     * {@code known}. Unknown names are problems; {@code KAFKA_PORT}-style variables that Kubernetes service
     * links inject get a hint.
     */
    public Map<String, Object> kafka(Predicate<String> known, String clients) {
        Map<String, Object> props = new TreeMap<>();
        Map<String, String> names = new TreeMap<>();
        for (String name : values.keySet()) {
            if (!name.startsWith(KAFKA_PREFIX)) {
                continue;
            }
            if (name.endsWith(FILE_SUFFIX)) {
                // X_FILE reads X from a file when X is a property; otherwise it may be a property ending in .file
                String base = name.substring(0, name.length() - FILE_SUFFIX.length());
                String baseProp = kafkaProperty(base, known);
                if (baseProp != null) {
                    names.put(base, baseProp);
                    continue;
                }
            }
            names.put(name, kafkaProperty(name, known));
        }
        for (Map.Entry<String, String> e : names.entrySet()) {
            String name = e.getKey();
            String prop = e.getValue();
            if (prop == null) {
                String hint = name.matches("KAFKA_(PORT|SERVICE_.*|PORT_.*)")
                        ? " It looks injected by the Kubernetes service links of a Service named 'kafka': set "
                        + "enableServiceLinks: false in the pod spec."
                        : "";
                String dotted = name.length() > KAFKA_PREFIX.length()
                        ? "maps to '" + name.substring(KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.') + "', which is not a " + clients + " property."
                        : "names no " + clients + " property.";
                problems.add(name + " " + dotted + hint);
                continue;
            }
            String value = lookup(name);
            if (value != null) { // empty is a value: ssl.endpoint.identification.algorithm= turns the check off
                props.put(prop, value);
                record(name, value);
            }
        }
        return props;
    }

    /** Records a problem unless {@code props} name the Kafka brokers; {@code example} follows "e.g.". */
    public void requireBootstrapServers(Map<String, Object> props, String example) {
        if (!hasValue(props, "bootstrap.servers")) {
            problem("KAFKA_BOOTSTRAP_SERVERS is required: the Kafka brokers, e.g. " + example);
        }
    }

    /** True when {@code props} has {@code key} with a value that is not blank (a required Kafka property). */
    public static boolean hasValue(Map<String, Object> props, String key) {
        Object v = props.get(key);
        return v != null && !v.toString().isBlank();
    }

    /**
     * The Kafka property a {@code KAFKA_*} name stands for: underscores become dots, or, for the few properties
     * with an underscore in their name, whichever single mix of both is a known property. Null if none is.
     */
    static String kafkaProperty(String name, Predicate<String> known) {
        if (name.length() <= KAFKA_PREFIX.length()) {
            return null;
        }
        String[] words = name.substring(KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).split("_", -1);
        String dotted = String.join(".", words);
        if (known.test(dotted)) {
            return dotted;
        }
        int gaps = words.length - 1;
        if (gaps > 12) {
            return null;
        }
        String found = null;
        for (int mask = 1; mask < 1 << gaps; mask++) {
            StringBuilder b = new StringBuilder(words[0]);
            for (int i = 0; i < gaps; i++) {
                b.append((mask & 1 << i) != 0 ? '_' : '.').append(words[i + 1]);
            }
            String candidate = b.toString();
            if (known.test(candidate)) {
                if (found != null) {
                    return null;
                }
                found = candidate;
            }
        }
        return found;
    }

    private static String stripLineEnds(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * Reports every variable starting with {@code prefix} that no getter asked for: a misspelt setting is an
     * error, not a silent default. Call it after reading every setting.
     */
    public void rejectUnknown(String prefix, String application) {
        rejectUnknown(prefix, application, false);
    }

    /**
     * {@link #rejectUnknown(String, String)} for an application that reads the database settings itself: a
     * {@code NODEPULSE_DB_*} name it did not ask for is then a misspelling too, not another component's setting.
     */
    public void rejectUnknown(String prefix, String application, boolean readsDatabase) {
        for (String name : new TreeMap<>(values).keySet()) {
            boolean tooling = TOOLING.matcher(name).matches()
                    && !(readsDatabase && DATABASE.matcher(name).matches());
            if (name.startsWith(prefix) && !asked.contains(name) && !name.equals(CONFIG_FILE) && !tooling) {
                problems.add(name + " is not a setting of the " + application + " (misspelt, or meant for "
                        + "another component?)");
            }
        }
    }

    /** Every setting name a getter asked for, set or not. */
    public Set<String> knownNames() {
        return Set.copyOf(asked);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** @throws ConfigException naming every problem found so far */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** The settings read so far, one {@code NAME=value} per line, secrets masked. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        effective.forEach((k, v) -> sb.append(k).append('=')
                .append(v == null ? "" : masked.contains(k) ? "****" : v).append('\n'));
        return sb.toString();
    }

    /** Parses a duration the way settings spell it (500ms, 10s, 5m, 2h, 7d); null when it is not one. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        try {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            d.toMillis(); // every user of a setting reads it in milliseconds
            return d;
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // too large
        }
    }

    /** A duration the way settings spell it: 10s, 5m, 7d, 500ms. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
