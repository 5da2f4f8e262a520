package io.nodepulse.agent.collect.parse;

/**
 * Parsed {@code /proc/pressure/<resource>}:
 * <pre>
 * some avg10=1.09 avg60=2.64 avg300=8.41 total=66006388
 * full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * </pre>
 * Averages are percentages, totals are microseconds. The {@code full} line is absent for cpu on kernels
 * before 5.13; where present at system level for cpu it is always zero.
 *
 * @param full null when the kernel prints no {@code full} line
 */
public record Psi(Line some, Line full) {

    /** One line of a pressure file. */
    public record Line(double avg10, double avg60, double avg300, long totalMicros) {
    }

    public static Psi parse(String text) {
        Line some = null;
        Line full = null;
        for (String line : Fields.lines(text)) {
            String[] f = Fields.split(line);
            if (f.length == 0) {
                continue;
            }
            if (f.length < 5) {
                throw new IllegalArgumentException("pressure line has " + f.length + " fields, expected 5: " + line);
            }
            Line parsed = new Line(
                    Fields.decimal(Fields.keyed(f[1], "avg10", "pressure"), "avg10"),
                    Fields.decimal(Fields.keyed(f[2], "avg60", "pressure"), "avg60"),
                    Fields.decimal(Fields.keyed(f[3], "avg300", "pressure"), "avg300"),
                    Fields.unsigned(Fields.keyed(f[4], "total", "pressure"), "total"));
            switch (f[0]) {
                case "some" -> some = parsed;
                case "full" -> full = parsed;
                default -> throw new IllegalArgumentException("unknown pressure line '" + f[0] + "'");
            }
        }
        if (some == null) {
            throw new IllegalArgumentException("pressure file has no 'some' line");
        }
        return new Psi(some, full);
    }
}
