package io.nodepulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Catches accidental topology changes: renamed or reordered operators change state store and internal topic
 * names, which breaks restoring an existing deployment. After an intended change, regenerate the golden file
 * with {@code mvn -pl stream-processor test -Dtest=TopologyDescriptionTest -Dnodepulse.golden.update=true}
 * and review the diff.
 */
class TopologyDescriptionTest {
    private static final Path GOLDEN = Path.of("src/test/resources/io/nodepulse/processor/topology.golden.txt");

    @Test
    void topologyMatchesTheGoldenDescription() throws Exception {
        WireSerdes serdes = WireSerdes.offline();
        String described = PipelineTopology.build(PipelineTopology.Settings.defaults(),
                new Topics(Topics.DEFAULT_PREFIX, serdes), serdes, AlertRules.bundled(),
                new PipelineMetrics(new MetricRegistry())).describe().toString();
        if (Boolean.getBoolean("nodepulse.golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, described, StandardCharsets.UTF_8);
        }
        assertThat(GOLDEN).as("golden file; create it with -Dnodepulse.golden.update=true").exists();
        assertThat(described).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    @Test
    void everyStateStoreIsNamed() {
        WireSerdes serdes = WireSerdes.offline();
        String described = PipelineTopology.build(PipelineTopology.Settings.defaults(),
                new Topics(Topics.DEFAULT_PREFIX, serdes), serdes, AlertRules.bundled(),
                new PipelineMetrics(new MetricRegistry())).describe().toString();
        assertThat(described).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
        assertThat(described).contains("dedup-seen-store", "dedup-stream-time-store", "liveness-store",
                "alert-state-store", "rollup-1m-store", "rollup-1h-store", "rollup-1h-repartition");
    }
}
