package io.nodepulse.agent.collect.sys;

/** A device number as stat(2) gives it in st_dev, split as mountinfo writes it ({@code major:minor}). */
public record Device(int major, int minor) {

    /** Linux's st_dev encoding (glibc gnu_dev_major and gnu_dev_minor). */
    public static Device of(long dev) {
        return new Device((int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL)),
                (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL)));
    }

    /** The device {@code path} is on, from stat(2) through the JDK; null when it cannot be told. */
    public static Device of(java.nio.file.Path path) {
        try {
            return of(((Number) java.nio.file.Files.getAttribute(path, "unix:dev")).longValue());
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return major + ":" + minor;
    }
}
