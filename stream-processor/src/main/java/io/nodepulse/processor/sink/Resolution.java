package io.nodepulse.processor.sink;

import java.util.Locale;

/** A rollup resolution: the window length and the suffix of its tables and views. */
public enum Resolution {
    MINUTE("1m", 60),
    HOUR("1h", 3600);

    private final String suffix;
    private final int seconds;

    Resolution(String suffix, int seconds) {
        this.suffix = suffix;
        this.seconds = seconds;
    }

    /** "1m" or "1h": the table suffix and the value used in the {@code nodepulse.repair} header. */
    public String suffix() {
        return suffix;
    }

    public int seconds() {
        return seconds;
    }

    /** Start of the window holding {@code epochMillis}. */
    public long windowStart(long epochMillis) {
        long size = seconds * 1000L;
        return Math.floorDiv(epochMillis, size) * size;
    }

    /** The resolution of a NodeRollup's {@code resolutionSeconds}, or null when it is neither 60 nor 3600. */
    public static Resolution ofSeconds(int seconds) {
        for (Resolution r : values()) {
            if (r.seconds == seconds) {
                return r;
            }
        }
        return null;
    }

    /** The resolution named "1m" or "1h" (case-insensitive), or null. */
    public static Resolution ofSuffix(String suffix) {
        String s = suffix.strip().toLowerCase(Locale.ROOT);
        for (Resolution r : values()) {
            if (r.suffix.equals(s)) {
                return r;
            }
        }
        return null;
    }
}
