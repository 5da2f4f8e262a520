package io.nodepulse.agent.collect.parse;

import java.util.List;
import java.util.Map;

/**
 * Parsed {@code /proc/meminfo}, in bytes.
 *
 * @param available MemAvailable; null on kernels older than 3.14, which lack it
 */
public record MemInfo(long total, Long available, long free, long buffers, long cached, long sReclaimable,
                      long swapTotal, long swapFree) {
    private static final List<String> KEYS = List.of("MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached",
            "SReclaimable", "SwapTotal", "SwapFree");

    public static MemInfo parse(String text) {
        Map<String, String> values = Fields.values(text, ':', KEYS);
        long total = bytes(values, "MemTotal", -1);
        Long available = values.containsKey("MemAvailable") ? bytes(values, "MemAvailable", 0) : null;
        long free = bytes(values, "MemFree", -1);
        long buffers = bytes(values, "Buffers", 0);
        long cached = bytes(values, "Cached", 0);
        long sReclaimable = bytes(values, "SReclaimable", 0);
        long swapTotal = bytes(values, "SwapTotal", 0);
        long swapFree = bytes(values, "SwapFree", 0);
        if (total < 0 || free < 0) {
            throw new IllegalArgumentException("/proc/meminfo lacks MemTotal or MemFree");
        }
        return new MemInfo(total, available, free, buffers, cached, sReclaimable, swapTotal, swapFree);
    }

    /** A value like {@code "   24684092 kB"}; {@code absent} when the key is missing. */
    private static long bytes(Map<String, String> values, String key, long absent) {
        String value = values.get(key);
        if (value == null) {
            return absent;
        }
        String[] f = Fields.split(value);
        if (f.length == 0) {
            throw new IllegalArgumentException("no value for " + key + " in /proc/meminfo");
        }
        long v = Fields.unsigned(f[0], key);
        if (f.length > 1 && f[1].equals("kB")) {
            return Math.multiplyExact(v, 1024L);
        }
        return v;
    }
}
