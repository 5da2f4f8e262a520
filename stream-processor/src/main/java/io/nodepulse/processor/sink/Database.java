package io.nodepulse.processor.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;

/** Opens connections with the settings every part of the sink uses. */
public final class Database {
    private Database() {
    }

    /** Opens a connection as {@code login}; {@code application} shows in pg_stat_activity. */
    public static Connection connect(String jdbcUrl, DbLogin login, String application, Duration socketTimeout)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        if (login.password() != null) {
            p.setProperty("password", login.password());
        }
        p.setProperty("ApplicationName", application);
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /**
     * Connects, waiting up to {@code timeout} (null: without limit) while the database is unreachable and
     * logging every attempt. Refused credentials fail at once.
     *
     * @throws DatabaseUnavailableException when the credentials are refused, the error is not a connection
     *                                      problem, or the database stays unreachable past the timeout
     */
    public static Connection connectWaiting(String jdbcUrl, DbLogin login, String application,
                                            Duration socketTimeout, Duration timeout, Backoff backoff, Logger log,
                                            String envPrefix, java.util.function.Consumer<String> waiting) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Connection c = connect(jdbcUrl, login, application, socketTimeout);
                backoff.reset();
                return c;
            } catch (SQLException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (kind == SqlErrors.Kind.AUTH) {
                    throw new DatabaseUnavailableException("the database at " + jdbcUrl + " refused role "
                            + login.user() + " (" + SqlErrors.describe(e) + "); check " + envPrefix + "_USER and "
                            + envPrefix + "_PASSWORD_FILE, and that the role exists with LOGIN and a pg_hba.conf "
                            + "entry", e);
                }
                if (kind != SqlErrors.Kind.RETRIABLE) {
                    throw new DatabaseUnavailableException("cannot connect to " + jdbcUrl + " as " + login.user()
                            + ": " + SqlErrors.describe(e), e);
                }
                Duration wait = backoff.next();
                if (timeout != null && System.nanoTime() + wait.toNanos() > deadline) {
                    throw new DatabaseUnavailableException("the database at " + jdbcUrl + " did not answer within "
                            + timeout.toSeconds() + " s (" + SqlErrors.describe(e) + "); check that it runs and "
                            + "is reachable, or raise " + SinkConfig.STARTUP_TIMEOUT, e);
                }
                log.warn("database at {} unreachable for {} ({}); attempt {}, retrying in {} ms", jdbcUrl,
                        application, SqlErrors.describe(e), backoff.attempt(), wait.toMillis());
                waiting.accept("waiting for the database at " + jdbcUrl + " (" + SqlErrors.describe(e) + "; attempt "
                        + backoff.attempt() + ")");
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseUnavailableException("interrupted while waiting for the database", ie);
                }
            }
        }
    }

    /** Closes quietly. */
    public static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a broken connection may fail; nothing to do about it
            }
        }
    }

    /** Rolls back quietly; the connection may already be gone. */
    public static void rollbackQuietly(Connection c) {
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the transaction is lost with the connection anyway
            }
        }
    }
}
