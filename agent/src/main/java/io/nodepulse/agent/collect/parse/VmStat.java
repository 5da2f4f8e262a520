package io.nodepulse.agent.collect.parse;

/**
 * The counters kept from {@code /proc/vmstat}.
 *
 * @param oomKill null on kernels older than 4.13, which lack {@code oom_kill}
 */
public record VmStat(long pswpin, long pswpout, long pgmajfault, Long oomKill) {

    public static VmStat parse(String text) {
        long pswpin = -1;
        long pswpout = -1;
        long pgmajfault = -1;
        Long oomKill = null;
        int start = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            int sp = text.indexOf(' ', start);
            if (sp > start && sp < end) {
                // Only the four wanted keys are turned into strings.
                char c = text.charAt(start);
                if (c == 'p' || c == 'o') {
                    String key = text.substring(start, sp);
                    switch (key) {
                        case "pswpin" -> pswpin = Fields.unsigned(text.substring(sp + 1, end).strip(), key);
                        case "pswpout" -> pswpout = Fields.unsigned(text.substring(sp + 1, end).strip(), key);
                        case "pgmajfault" -> pgmajfault = Fields.unsigned(text.substring(sp + 1, end).strip(), key);
                        case "oom_kill" -> oomKill = Fields.unsigned(text.substring(sp + 1, end).strip(), key);
                        default -> {
                        }
                    }
                }
            }
            start = end + 1;
        }
        if (pswpin < 0 || pswpout < 0 || pgmajfault < 0) {
            throw new IllegalArgumentException("/proc/vmstat lacks pswpin, pswpout or pgmajfault");
        }
        return new VmStat(pswpin, pswpout, pgmajfault, oomKill);
    }
}
