package io.nodepulse.agent.collect.parse;

/**
 * The fields of {@code struct timex} that adjtimex(2) returns in read-only mode (modes = 0), and their
 * meaning. {@code offset} is in microseconds, or nanoseconds when {@link #STA_NANO} is set; {@code freq} is
 * ppm with a 16-bit fraction; {@code maxerror} and {@code esterror} are microseconds.
 *
 * @param state the return value of adjtimex: TIME_OK (0) ... TIME_ERROR (5)
 */
public record Timex(int state, int status, long offset, long freq, long maxError, long estError) {
    public static final int TIME_ERROR = 5;
    public static final int STA_UNSYNC = 0x0040;
    public static final int STA_NANO = 0x2000;

    /** The kernel clock is synchronised: STA_UNSYNC clear and the state not TIME_ERROR. */
    public boolean synced() {
        return state != TIME_ERROR && (status & STA_UNSYNC) == 0;
    }

    public double offsetSeconds() {
        return offset / ((status & STA_NANO) != 0 ? 1e9 : 1e6);
    }

    public double maxErrorSeconds() {
        return maxError / 1e6;
    }

    public double estimatedErrorSeconds() {
        return estError / 1e6;
    }

    public double frequencyPpm() {
        return freq / 65536.0;
    }
}
