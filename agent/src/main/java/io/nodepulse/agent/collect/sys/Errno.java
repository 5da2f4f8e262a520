package io.nodepulse.agent.collect.sys;

/** Names for the errno values the native calls here can return. */
final class Errno {
    private Errno() {
    }

    static String name(int errno) {
        return switch (errno) {
            case 1 -> "EPERM (operation not permitted)";
            case 2 -> "ENOENT (no such file or directory)";
            case 5 -> "EIO (input/output error)";
            case 13 -> "EACCES (permission denied)";
            case 14 -> "EFAULT (bad address)";
            case 20 -> "ENOTDIR (not a directory)";
            case 22 -> "EINVAL (invalid argument)";
            case 38 -> "ENOSYS (function not implemented)";
            case 40 -> "ELOOP (too many symbolic links)";
            case 75 -> "EOVERFLOW (value too large)";
            case 107 -> "ENOTCONN (transport endpoint is not connected)";
            case 116 -> "ESTALE (stale file handle)";
            default -> "errno " + errno;
        };
    }
}
