package io.nodepulse.agent.simulate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link Fleet} on a thread of its own: applies the {@link Chaos} and produces every due event, then
 * sleeps until the next one is due on the simulated clock (at most 100 ms, so changes made meanwhile are
 * picked up). If producing falls behind, due events are made late rather than skipped.
 */
public final class FleetRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetRunner.class);

    private final Fleet fleet;
    private final Chaos chaos;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile boolean stopped;
    private volatile RuntimeException failure;
    private volatile long maxRoundMillis;

    /** @param chaos random membership changes, or null for none */
    public FleetRunner(Fleet fleet, Chaos chaos) {
        this.fleet = fleet;
        this.chaos = chaos;
        this.thread = new Thread(this::run, "fleet");
        this.thread.setDaemon(true);
    }

    public FleetRunner start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (!stopped) {
                long start = System.nanoTime();
                if (chaos != null) {
                    chaos.step();
                }
                fleet.tick();
                long took = (System.nanoTime() - start) / 1_000_000;
                maxRoundMillis = Math.max(maxRoundMillis, took);
                var next = fleet.nextDue();
                long sleep = next == null ? 100 : Math.min(100, fleet.clock().wallMillisUntil(next));
                if (sleep > 0) {
                    synchronized (lock) {
                        if (!stopped) {
                            lock.wait(sleep);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            log.error("the simulated fleet stopped", e);
        }
    }

    /** The longest round of producing since the last call, in wall-clock milliseconds; resets it. */
    public long takeMaxRoundMillis() {
        long m = maxRoundMillis;
        maxRoundMillis = 0;
        return m;
    }

    /** The error that stopped the runner, or null. */
    public RuntimeException failure() {
        return failure;
    }

    public boolean running() {
        return thread.isAlive();
    }

    /** Stops after the round in progress. */
    @Override
    public void close() {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
