package io.nodepulse.agent.collect.parse;

/**
 * Parsed {@code /proc/loadavg}: {@code "0.52 0.58 0.59 3/1234 56789"}.
 *
 * @param runnable currently runnable scheduling entities
 * @param threads  all scheduling entities (threads) on the host
 */
public record LoadAvg(double load1, double load5, double load15, int runnable, int threads) {

    public static LoadAvg parse(String text) {
        String[] f = Fields.split(Fields.firstLine(text));
        if (f.length < 4) {
            throw new IllegalArgumentException("/proc/loadavg has " + f.length + " fields, expected 5");
        }
        int slash = f[3].indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("/proc/loadavg field 4 is '" + f[3] + "', expected runnable/total");
        }
        return new LoadAvg(Fields.decimal(f[0], "load1"), Fields.decimal(f[1], "load5"),
                Fields.decimal(f[2], "load15"),
                (int) Fields.unsigned(f[3].substring(0, slash), "runnable"),
                (int) Fields.unsigned(f[3].substring(slash + 1), "threads"));
    }

    /** Seconds since boot, the first field of {@code /proc/uptime}. */
    public static double uptimeSeconds(String text) {
        String[] f = Fields.split(Fields.firstLine(text));
        if (f.length == 0) {
            throw new IllegalArgumentException("/proc/uptime is empty");
        }
        return Fields.decimal(f[0], "uptime");
    }
}
