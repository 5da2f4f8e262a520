package io.nodepulse.agent.spool;

import java.io.IOException;

/** Another process holds the spool directory. */
public final class SpoolLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    SpoolLockedException(String message) {
        super(message);
    }
}
