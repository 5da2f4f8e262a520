package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rule that decides whether a batch's sighting of a node rewrites its inventory row. */
class InventoryTest {
    private static final long MIN = Inventory.STEP_MILLIS;
    private final EncodedBatch.Seen stored = seen(1_000_000, 2_000_000, "boot-1", "run-1", "v1");

    private static EncodedBatch.Seen seen(long first, long last, String boot, String run, String version) {
        return new EncodedBatch.Seen(first, last, boot, run, version);
    }

    @Test
    void anUnknownNodeIsWritten() {
        assertThat(Inventory.changes(null, stored)).isTrue();
    }

    @Test
    void aLastSightingLessThanAStepAheadIsNot() {
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_000 + MIN - 1, "boot-1", "run-1", "v1"))).isFalse();
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_000 + MIN, "boot-1", "run-1", "v1"))).isTrue();
    }

    @Test
    void anEarlierFirstSightingIs() {
        assertThat(Inventory.changes(stored, seen(999_999, 1_500_000, "boot-0", "run-0", "v0"))).isTrue();
        assertThat(Inventory.changes(stored, seen(1_000_000, 1_500_000, "boot-0", "run-0", "v0"))).isFalse();
    }

    @Test
    void anotherBootRunOrVersionIsWhenItIsNotOlder() {
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_000, "boot-2", "run-1", "v1"))).isTrue();
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_001, "boot-1", "run-2", "v1"))).isTrue();
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_001, "boot-1", "run-1", "v2"))).isTrue();
        assertThat(Inventory.changes(stored, seen(2_000_000, 2_000_001, "boot-1", "run-1", null))).isTrue();
        assertThat(Inventory.changes(stored, seen(1_500_000, 1_999_999, "boot-2", "run-2", "v2"))).isFalse();
    }
}
