package io.nodepulse.agent.collect.parse;

/** Parsers for cgroup v2 interface files. */
public final class Cgroup {
    /** The period cpu.max falls back to when it prints only a quota. */
    public static final long DEFAULT_PERIOD_MICROS = 100_000;

    private Cgroup() {
    }

    /**
     * The value of {@code key} in a flat keyed file ({@code cpu.stat}, {@code memory.stat},
     * {@code memory.events}: one {@code key value} per line), or null when the key is absent.
     */
    public static Long keyed(String text, String key) {
        int k = key.length();
        int at = text.indexOf(key);
        while (at >= 0) {
            int after = at + k;
            if ((at == 0 || text.charAt(at - 1) == '\n') && after < text.length() && text.charAt(after) == ' ') {
                int end = text.indexOf('\n', after);
                return number(text, after + 1, end < 0 ? text.length() : end, key);
            }
            at = text.indexOf(key, at + 1);
        }
        return null;
    }

    /** The number between {@code from} and {@code to}, parsed in place (this runs for every pod). */
    private static long number(String text, int from, int to, String key) {
        int i = from;
        while (i < to && text.charAt(i) == ' ') {
            i++;
        }
        int first = i;
        long v = 0;
        for (; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            if (v > (Long.MAX_VALUE - 9) / 10) {
                return Long.MAX_VALUE;
            }
            v = v * 10 + (c - '0');
        }
        int last = i;
        while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\r')) {
            i++;
        }
        if (last == first || i != to) {
            throw new IllegalArgumentException("'" + text.substring(from, to).strip() + "' is not a number (" + key
                    + ")");
        }
        return v;
    }

    /** {@code cpu.max}: {@code "max 100000"} (unlimited) or {@code "200000 100000"}. */
    public record CpuMax(Long quotaMicros, long periodMicros) {
        /** The limit in cores, or null when unlimited. */
        public Double cores() {
            return quotaMicros == null || periodMicros == 0 ? null : (double) quotaMicros / periodMicros;
        }
    }

    public static CpuMax cpuMax(String text) {
        String line = Fields.firstLine(text);
        int sp = line.indexOf(' ');
        String quota = sp < 0 ? line : line.substring(0, sp);
        if (quota.isEmpty() || sp >= 0 && line.indexOf(' ', sp + 1) >= 0) {
            throw new IllegalArgumentException("cpu.max is '" + line + "', expected '<quota|max> <period>'");
        }
        Long q = quota.equals("max") ? null : Fields.unsigned(quota, "cpu.max quota");
        long period = sp < 0 ? DEFAULT_PERIOD_MICROS : Fields.unsigned(line.substring(sp + 1), "cpu.max period");
        return new CpuMax(q, period);
    }

    /** A single-value file such as {@code memory.max}: a number, or null for {@code max}. */
    public static Long limit(String text) {
        String v = Fields.firstLine(text);
        return v.equals("max") ? null : Fields.unsigned(v, "limit");
    }

    /** A single-number file such as {@code memory.current}. */
    public static long number(String text, String what) {
        return Fields.unsigned(Fields.firstLine(text), what);
    }
}
