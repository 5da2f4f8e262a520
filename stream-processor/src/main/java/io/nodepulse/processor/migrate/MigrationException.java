package io.nodepulse.processor.migrate;

/** The schema cannot be brought up to date; the message says why and what to do. */
public final class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
