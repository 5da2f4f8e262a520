package io.nodepulse.agent.collect.parse;

import java.util.List;
import java.util.Map;

/**
 * The counters kept from {@code /proc/vmstat}.
 *
 * @param oomKill null on kernels older than 4.13, which lack {@code oom_kill}
 */
public record VmStat(long pswpin, long pswpout, long pgmajfault, Long oomKill) {
    private static final List<String> KEYS = List.of("pswpin", "pswpout", "pgmajfault", "oom_kill");

    public static VmStat parse(String text) {
        Map<String, String> values = Fields.values(text, ' ', KEYS);
        long pswpin = counter(values, "pswpin");
        long pswpout = counter(values, "pswpout");
        long pgmajfault = counter(values, "pgmajfault");
        Long oomKill = values.containsKey("oom_kill") ? counter(values, "oom_kill") : null;
        if (pswpin < 0 || pswpout < 0 || pgmajfault < 0) {
            throw new IllegalArgumentException("/proc/vmstat lacks pswpin, pswpout or pgmajfault");
        }
        return new VmStat(pswpin, pswpout, pgmajfault, oomKill);
    }

    /** The counter's value; -1 when the key is missing. */
    private static long counter(Map<String, String> values, String key) {
        String value = values.get(key);
        return value == null ? -1 : Fields.unsigned(value.strip(), key);
    }
}
