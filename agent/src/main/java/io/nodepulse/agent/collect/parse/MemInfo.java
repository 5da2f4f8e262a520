package io.nodepulse.agent.collect.parse;

/**
 * Parsed {@code /proc/meminfo}, in bytes.
 *
 * @param available MemAvailable; null on kernels older than 3.14, which lack it
 */
public record MemInfo(long total, Long available, long free, long buffers, long cached, long sReclaimable,
                      long swapTotal, long swapFree) {

    public static MemInfo parse(String text) {
        long total = -1;
        Long available = null;
        long free = -1;
        long buffers = 0;
        long cached = 0;
        long sReclaimable = 0;
        long swapTotal = 0;
        long swapFree = 0;
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            int colon = text.indexOf(':', start);
            if (colon > start && colon < end) {
                String key = text.substring(start, colon);
                switch (key) {
                    case "MemTotal" -> total = bytes(text, colon + 1, end, key);
                    case "MemAvailable" -> available = bytes(text, colon + 1, end, key);
                    case "MemFree" -> free = bytes(text, colon + 1, end, key);
                    case "Buffers" -> buffers = bytes(text, colon + 1, end, key);
                    case "Cached" -> cached = bytes(text, colon + 1, end, key);
                    case "SReclaimable" -> sReclaimable = bytes(text, colon + 1, end, key);
                    case "SwapTotal" -> swapTotal = bytes(text, colon + 1, end, key);
                    case "SwapFree" -> swapFree = bytes(text, colon + 1, end, key);
                    default -> {
                    }
                }
            }
            start = end + 1;
        }
        if (total < 0 || free < 0) {
            throw new IllegalArgumentException("/proc/meminfo lacks MemTotal or MemFree");
        }
        return new MemInfo(total, available, free, buffers, cached, sReclaimable, swapTotal, swapFree);
    }

    /** A value like {@code "   24684092 kB"}. */
    private static long bytes(String text, int from, int to, String key) {
        String[] f = Fields.split(text.substring(from, to));
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
