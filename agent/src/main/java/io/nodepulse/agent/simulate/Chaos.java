package io.nodepulse.agent.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The changes of an autoscaling cluster, drawn at random at rates per simulated hour: nodes leave (shut down
 * cleanly, or vanish without a word) and new ones join, so the fleet stays near its size; nodes reboot; agents
 * restart (cleanly, as in a rolling update, or after a crash). Only nodes that are up are picked.
 */
public final class Chaos {
    /**
     * @param churnPerHour         share of the fleet replaced per simulated hour (as many join as leave)
     * @param silentLeaveFraction  share of leaving nodes that vanish without a SHUTDOWN event
     * @param rebootsPerHour       share of nodes rebooting per simulated hour
     * @param restartsPerHour      share of nodes whose agent restarts per simulated hour
     * @param crashRestartFraction share of agent restarts that are crashes (no SHUTDOWN event)
     */
    public record Rates(double churnPerHour, double silentLeaveFraction, double rebootsPerHour,
                        double restartsPerHour, double crashRestartFraction) {
        public static final Rates NONE = new Rates(0, 0, 0, 0, 0);
    }

    /** Changes are drawn at most once per simulated second. */
    private static final long STEP_MS = 1000;

    private final Fleet fleet;
    private final Rates rates;
    private final int size;
    private final SplittableRandom rnd;
    private long lastMs;

    /** @param size the fleet size joins keep it near */
    public Chaos(Fleet fleet, Rates rates, int size, long seed) {
        this.fleet = fleet;
        this.rates = rates;
        this.size = size;
        this.rnd = new SplittableRandom(seed);
        this.lastMs = fleet.clock().now().toEpochMilli();
    }

    /** Applies the changes drawn for the simulated time since the last step. */
    public void step() {
        long now = fleet.clock().now().toEpochMilli();
        if (now - lastMs < STEP_MS) {
            return;
        }
        double hours = (now - lastMs) / 3_600_000.0;
        lastMs = now;
        int upCount = fleet.upCount();
        int leaves = poisson(rates.churnPerHour() * upCount * hours);
        int joins = poisson(rates.churnPerHour() * size * hours);
        int reboots = poisson(rates.rebootsPerHour() * upCount * hours);
        int restarts = poisson(rates.restartsPerHour() * upCount * hours);
        if (leaves + joins + reboots + restarts == 0) {
            return;
        }
        List<String> up = new ArrayList<>(fleet.names(Fleet.State.UP));
        for (int i = 0; i < leaves && !up.isEmpty(); i++) {
            fleet.leave(up.remove(rnd.nextInt(up.size())), rnd.nextDouble() < rates.silentLeaveFraction());
        }
        for (int i = 0; i < joins; i++) {
            fleet.addNode(true);
        }
        for (int i = 0; i < reboots && !up.isEmpty(); i++) {
            fleet.reboot(up.remove(rnd.nextInt(up.size())));
        }
        for (int i = 0; i < restarts && !up.isEmpty(); i++) {
            fleet.restartAgent(up.remove(rnd.nextInt(up.size())), rnd.nextDouble() >= rates.crashRestartFraction());
        }
    }

    /** A Poisson draw (normal approximation for large means). */
    int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * rnd.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > limit);
        return k - 1;
    }
}
