package io.nodepulse.agent.collect.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Splitting and number parsing for kernel text files, without regular expressions. */
public final class Fields {
    private Fields() {
    }

    /** The lines of {@code text}, without line terminators; a trailing newline adds no empty line. */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = lineEnd(text, start);
            out.add(text.substring(start, end));
            start = end + 1;
        }
        return out;
    }

    /**
     * The values of {@code keys} in lines of the form {@code key<separator>value}, such as {@code MemTotal: 8 kB}
     * with ':' or {@code pswpin 12} with ' ': each value is the rest of its line, as it stands. Lines of other
     * keys are skipped without a copy; a key found twice keeps its last value.
     */
    public static Map<String, String> values(String text, char separator, List<String> keys) {
        Map<String, String> out = new HashMap<>();
        int start = 0;
        while (start < text.length()) {
            int end = lineEnd(text, start);
            int sep = text.indexOf(separator, start);
            if (sep > start && sep < end) {
                for (String key : keys) {
                    if (key.length() == sep - start && text.startsWith(key, start)) {
                        out.put(key, text.substring(sep + 1, end));
                    }
                }
            }
            start = end + 1;
        }
        return out;
    }

    /** Where the line starting at {@code start} ends: its newline, or the end of the text. */
    private static int lineEnd(String text, int start) {
        int end = text.indexOf('\n', start);
        return end < 0 ? text.length() : end;
    }

    /** Fields separated by runs of spaces and tabs. */
    public static String[] split(String line) {
        int count = 0;
        int n = line.length();
        boolean in = false;
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            boolean blank = c == ' ' || c == '\t';
            if (!blank && !in) {
                count++;
            }
            in = !blank;
        }
        String[] out = new String[count];
        int k = 0;
        int i = 0;
        while (i < n) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            int s = i;
            while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                i++;
            }
            if (i > s) {
                out[k++] = line.substring(s, i);
            }
        }
        return out;
    }

    /**
     * A non-negative decimal integer. Values above {@link Long#MAX_VALUE} (unsigned 64-bit kernel counters,
     * or -1 printed as unsigned) are clamped to {@link Long#MAX_VALUE}.
     */
    public static long unsigned(String s, String what) {
        int n = s.length();
        if (n == 0) {
            throw new IllegalArgumentException("empty number for " + what);
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + s + "' is not a number (" + what + ")");
            }
            int d = c - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return Long.MAX_VALUE;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** A decimal integer that may be negative, e.g. a thermal zone's millidegrees. */
    public static long signed(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (" + what + ")");
        }
    }

    /** A decimal number such as {@code 0.52}. */
    public static double decimal(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (" + what + ")");
        }
    }

    /** The value of {@code key=value} in {@code field}, e.g. {@code avg10=0.52}. */
    public static String keyed(String field, String key, String what) {
        int eq = field.indexOf('=');
        if (eq < 0 || !field.regionMatches(0, key, 0, key.length()) || eq != key.length()) {
            throw new IllegalArgumentException("expected " + key + "=... but found '" + field + "' (" + what + ")");
        }
        return field.substring(eq + 1);
    }

    /** The first line of {@code text}, trimmed. */
    public static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).strip();
    }
}
