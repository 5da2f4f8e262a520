package io.nodepulse.processor.sink;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Sorts database errors by SQLState into what the sink does about them: retry the same batch later, isolate a
 * bad record, or stop and say what is wrong.
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** What to do about an error. */
    public enum Kind {
        /** The database or the connection is unavailable for now: back off and retry the same batch. */
        RETRIABLE,
        /** A unique key already exists: write the batch again through the ON CONFLICT DO NOTHING path. */
        UNIQUE_VIOLATION,
        /** Some record's data cannot be stored: isolate it and send it to the DLQ. */
        DATA,
        /** The credentials were refused. */
        AUTH,
        /**
         * The schema, privileges or SQL are wrong (42xxx and the like): no record is at fault and retrying
         * will not help until an operator acts. The sink keeps the batch, reports not ready and retries slowly.
         */
        BROKEN
    }

    public static Kind classify(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() != 5) {
            return hasCause(e, IOException.class) || state == null ? Kind.RETRIABLE : Kind.BROKEN;
        }
        if (state.equals("23505")) {
            return Kind.UNIQUE_VIOLATION;
        }
        String cls = state.substring(0, 2);
        return switch (cls) {
            // connection exception; transaction rollback (serialization, deadlock, completion unknown);
            // insufficient resources (disk full, out of memory, too many connections); system error (I/O)
            case "08", "40", "53", "58" -> Kind.RETRIABLE;
            // operator intervention: admin/crash shutdown, cannot connect now, statement timeout; but a
            // dropped database (57P04) will not come back by itself
            case "57" -> state.equals("57P04") ? Kind.BROKEN : Kind.RETRIABLE;
            // object in use / lock not available
            case "55" -> state.equals("55006") || state.equals("55P03") ? Kind.RETRIABLE : Kind.BROKEN;
            // invalid transaction state, e.g. read-only transaction on a standby after a failover
            case "25" -> Kind.RETRIABLE;
            // data exception; integrity constraint violation; program limit exceeded (e.g. an index row too big)
            case "22", "23", "54" -> Kind.DATA;
            case "28" -> Kind.AUTH;
            default -> Kind.BROKEN;
        };
    }

    /** SQLState and message, for logs. */
    public static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = msg.indexOf('\n');
        if (nl > 0) {
            msg = msg.substring(0, nl);
        }
        return "SQLState " + e.getSQLState() + ": " + msg;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
