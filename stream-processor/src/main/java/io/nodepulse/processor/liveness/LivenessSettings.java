package io.nodepulse.processor.liveness;

import java.time.Duration;

/**
 * Liveness thresholds.
 *
 * @param downAfterMissed   a node that sent nothing for this many of its own intervals is DOWN
 * @param stoppedAlertAfter a node that shut down cleanly becomes DOWN (and alerts) when away this long
 * @param retireAfter       a node away this long is RETIRED; its node-down alert resolves
 * @param forgetAfter       a RETIRED node's entry is removed from the store when away this long
 * @param checkInterval     how often the wall-clock check runs
 */
public record LivenessSettings(int downAfterMissed, Duration stoppedAlertAfter, Duration retireAfter,
                               Duration forgetAfter, Duration checkInterval) {
    public static LivenessSettings defaults() {
        return new LivenessSettings(3, Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(30),
                Duration.ofSeconds(5));
    }
}
