package io.nodepulse.agent.collect.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import io.nodepulse.agent.collect.parse.Timex;
import java.io.IOException;

/**
 * adjtimex(2) in read-only mode (modes = 0) through a JNA direct mapping into one reused buffer. Needs no
 * capability, and the default container seccomp profile allows it. Not thread-safe: it reuses the buffer.
 */
public final class JnaTimex implements TimexSource {

    /**
     * {@code struct timex} from {@code <sys/timex.h>}: longs are C {@code long}, and JNA lays the fields out
     * with the platform's alignment (208 bytes on x86_64 and aarch64). Used for its size and offsets only.
     */
    @Structure.FieldOrder({"modes", "offset", "freq", "maxerror", "esterror", "status", "constant", "precision",
            "tolerance", "timeSec", "timeUsec", "tick", "ppsfreq", "jitter", "shift", "stabil", "jitcnt",
            "calcnt", "errcnt", "stbcnt", "tai", "padding"})
    public static class TimexStruct extends Structure {
        public int modes;
        public NativeLong offset;
        public NativeLong freq;
        public NativeLong maxerror;
        public NativeLong esterror;
        public int status;
        public NativeLong constant;
        public NativeLong precision;
        public NativeLong tolerance;
        public NativeLong timeSec;
        public NativeLong timeUsec;
        public NativeLong tick;
        public NativeLong ppsfreq;
        public NativeLong jitter;
        public int shift;
        public NativeLong stabil;
        public NativeLong jitcnt;
        public NativeLong calcnt;
        public NativeLong errcnt;
        public NativeLong stbcnt;
        public int tai;
        public int[] padding = new int[11];

        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, "c");
        }

        static native int adjtimex(Pointer buf) throws LastErrorException;
    }

    private static final TimexStruct LAYOUT = new TimexStruct();
    private static final int MODES = LAYOUT.offsetOf("modes");
    private static final int OFFSET = LAYOUT.offsetOf("offset");
    private static final int FREQ = LAYOUT.offsetOf("freq");
    private static final int MAXERROR = LAYOUT.offsetOf("maxerror");
    private static final int ESTERROR = LAYOUT.offsetOf("esterror");
    private static final int STATUS = LAYOUT.offsetOf("status");

    private final Memory buf = new Memory(LAYOUT.size());

    public JnaTimex() {
        buf.clear();
    }

    @Override
    public Timex read() throws IOException {
        buf.setInt(MODES, 0);
        int state;
        try {
            state = Libc.adjtimex(buf);
        } catch (LastErrorException e) {
            throw new IOException("adjtimex: " + Errno.name(e.getErrorCode()));
        }
        return new Timex(state, buf.getInt(STATUS), buf.getNativeLong(OFFSET).longValue(),
                buf.getNativeLong(FREQ).longValue(), buf.getNativeLong(MAXERROR).longValue(),
                buf.getNativeLong(ESTERROR).longValue());
    }
}
