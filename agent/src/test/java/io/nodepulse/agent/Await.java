package io.nodepulse.agent;

import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Polls a condition of a test until it holds; fails after 20 s naming what it waited for. */
public final class Await {
    private Await() {
    }

    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
