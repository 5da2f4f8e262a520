package io.nodepulse.processor.sink;

/** The database cannot be used: wrong credentials, unreachable past the startup timeout, or a fatal error. */
public final class DatabaseUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
