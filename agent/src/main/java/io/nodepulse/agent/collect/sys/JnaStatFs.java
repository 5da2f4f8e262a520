package io.nodepulse.agent.collect.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.linux.LibC;
import java.io.IOException;
import java.nio.file.Path;

/**
 * statvfs(3) through a JNA direct mapping into one reused buffer, read at the offsets of JNA's
 * {@code struct statvfs} layout (no reflection per call). Not thread-safe: it reuses the buffer.
 */
public final class JnaStatFs implements StatFs {
    private static final long ST_RDONLY = 1;

    /** Field offsets of {@code struct statvfs} on this platform, from JNA's definition of it. */
    private static final class Layout extends LibC.Statvfs {
        final int frsize = fieldOffset("f_frsize");
        final int bsize = fieldOffset("f_bsize");
        final int blocks = fieldOffset("f_blocks");
        final int bfree = fieldOffset("f_bfree");
        final int bavail = fieldOffset("f_bavail");
        final int files = fieldOffset("f_files");
        final int ffree = fieldOffset("f_ffree");
        final int flag = fieldOffset("f_flag");
    }

    private static final class Libc {
        static {
            Native.register(Libc.class, "c");
        }

        static native int statvfs(String path, Pointer buf) throws LastErrorException;
    }

    private static final Layout LAYOUT = new Layout();
    private final Memory buf = new Memory(LAYOUT.size());

    @Override
    public FsStat stat(Path path) throws IOException {
        String p = path.toString();
        try {
            Libc.statvfs(p, buf);
        } catch (LastErrorException e) {
            throw new IOException("statvfs " + p + ": " + Errno.name(e.getErrorCode()));
        }
        long frsize = buf.getNativeLong(LAYOUT.frsize).longValue();
        if (frsize == 0) {
            frsize = buf.getNativeLong(LAYOUT.bsize).longValue();
        }
        return new FsStat(frsize, buf.getNativeLong(LAYOUT.blocks).longValue(),
                buf.getNativeLong(LAYOUT.bfree).longValue(), buf.getNativeLong(LAYOUT.bavail).longValue(),
                buf.getNativeLong(LAYOUT.files).longValue(), buf.getNativeLong(LAYOUT.ffree).longValue(),
                (buf.getNativeLong(LAYOUT.flag).longValue() & ST_RDONLY) != 0);
    }

    @Override
    public Device device(Path path) {
        return Device.of(path);
    }
}
