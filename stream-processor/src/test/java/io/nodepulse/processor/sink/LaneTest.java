package io.nodepulse.processor.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaneTest {
    @Test
    void rollupsHaveTheirOwnLaneAndEverySourceHasOne() {
        assertThat(Lane.ROLLUP.sources()).containsExactly(Source.ROLLUP_1M, Source.ROLLUP_1H);
        assertThat(Lane.RAW.sources()).containsExactly(Source.METRICS, Source.LATE, Source.STATUS, Source.ALERTS);
        List<Source> all = new ArrayList<>();
        for (Lane lane : Lane.values()) {
            all.addAll(lane.sources());
        }
        assertThat(all).containsExactlyInAnyOrder(Source.values());
    }

    @Test
    void theRawLaneKeepsTheConfiguredGroupAndTheRollupLaneAppendsASuffix() {
        assertThat(Lane.RAW.groupId("nodepulse-sink")).isEqualTo("nodepulse-sink");
        assertThat(Lane.ROLLUP.groupId("nodepulse-sink")).isEqualTo("nodepulse-sink-rollup");
    }
}
