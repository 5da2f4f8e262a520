package io.nodepulse.agent.collect.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsed {@code /proc/diskstats} lines. Sectors are always 512 bytes in this file, whatever the device's
 * logical block size. The kernel prints the millisecond fields as 32-bit unsigned values, so they wrap after
 * about 49.7 days of accumulated time; the other counters are 64-bit on 64-bit kernels.
 */
public final class DiskStats {
    public static final int SECTOR_BYTES = 512;

    private DiskStats() {
    }

    /** One block device. */
    public record Disk(String name, long reads, long readSectors, long writes, long writeSectors, long ioTicksMs,
                       long weightedIoMs) {
    }

    public static List<Disk> parse(String text) {
        List<Disk> out = new ArrayList<>();
        for (String line : Fields.lines(text)) {
            String[] f = Fields.split(line);
            if (f.length == 0) {
                continue;
            }
            if (f.length < 14) {
                throw new IllegalArgumentException("diskstats line has " + f.length + " fields, expected at least 14: "
                        + line.strip());
            }
            String name = f[2];
            out.add(new Disk(name, Fields.unsigned(f[3], name + " reads"), Fields.unsigned(f[5], name + " sectors read"),
                    Fields.unsigned(f[7], name + " writes"), Fields.unsigned(f[9], name + " sectors written"),
                    Fields.unsigned(f[12], name + " io ticks"), Fields.unsigned(f[13], name + " weighted io ticks")));
        }
        return out;
    }
}
