package io.nodepulse.agent.collect;

import io.nodepulse.schema.NodeMetrics;

/**
 * Reads one metric family. {@link NodeCollector} times each collector, and when one throws it records the
 * failure and leaves that family null (or empty), while the others go on.
 *
 * @param <T> the family: a record, or a list for per-device families
 */
interface Collector<T> {

    /** The name in the event's collectors list, e.g. {@code cpu}. */
    String name();

    /** Reads the family. Throws when it cannot be produced; the message says what failed. */
    T collect(Cycle cycle) throws Exception;

    /** Puts the family into the event; {@code family} is null when the collector failed or did not run. */
    void put(NodeMetrics.Builder event, T family);

    /** Forgets previous readings, so that the next rates are null (after a reboot). */
    default void reset() {
    }
}
