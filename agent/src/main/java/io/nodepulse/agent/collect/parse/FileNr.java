package io.nodepulse.agent.collect.parse;

/** Parsed {@code /proc/sys/fs/file-nr}: allocated handles, unused handles (always 0 since 2.6), maximum. */
public record FileNr(long allocated, long max) {

    public static FileNr parse(String text) {
        String[] f = Fields.split(Fields.firstLine(text));
        if (f.length < 3) {
            throw new IllegalArgumentException("file-nr has " + f.length + " fields, expected 3");
        }
        return new FileNr(Fields.unsigned(f[0], "file-nr allocated"), Fields.unsigned(f[2], "file-nr max"));
    }
}
