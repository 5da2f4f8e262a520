package io.nodepulse.agent.collect.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code /proc/<pid>/net/dev}: two header lines, then {@code name: } followed by 8 receive and
 * 8 transmit counters. The file shows the network namespace of the process whose directory is read.
 */
public final class NetDev {
    private NetDev() {
    }

    /** One interface's counters. */
    public record Interface(String name, long rxBytes, long rxPackets, long rxErrors, long rxDrops, long txBytes,
                            long txPackets, long txErrors, long txDrops) {
    }

    public static List<Interface> parse(String text) {
        List<Interface> out = new ArrayList<>();
        for (String line : Fields.lines(text)) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.indexOf('|') >= 0) {
                continue; // header lines
            }
            String name = line.substring(0, colon).strip();
            String[] f = Fields.split(line.substring(colon + 1));
            if (f.length < 16) {
                throw new IllegalArgumentException("net/dev line for " + name + " has " + f.length
                        + " counters, expected 16");
            }
            out.add(new Interface(name, Fields.unsigned(f[0], name + " rx bytes"),
                    Fields.unsigned(f[1], name + " rx packets"), Fields.unsigned(f[2], name + " rx errs"),
                    Fields.unsigned(f[3], name + " rx drop"), Fields.unsigned(f[8], name + " tx bytes"),
                    Fields.unsigned(f[9], name + " tx packets"), Fields.unsigned(f[10], name + " tx errs"),
                    Fields.unsigned(f[11], name + " tx drop")));
        }
        return out;
    }
}
