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
        String described = described();
        if (Boolean.getBoolean("nodepulse.golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, described, StandardCharsets.UTF_8);
        }
        assertThat(GOLDEN).as("golden file; create it with -Dnodepulse.golden.update=true").exists();
        assertThat(described).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    @Test
    void everyStateStoreIsNamed() {
        String described = described();
        assertThat(described).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
        assertThat(described).contains("dedup-seen-store", "dedup-stream-time-store", "liveness-store",
                "rollup-stream-time-store", "alert-state-store", "rollup-1m-store", "rollup-1h-store",
                "rollup-1h-repartition");
    }

    /** Both applications' descriptions, each under its name. */
    private static String described() {
        WireSerdes serdes = WireSerdes.offline();
        Topics topics = new Topics(Topics.DEFAULT_PREFIX, serdes);
        PipelineMetrics metrics = new PipelineMetrics(new MetricRegistry());
        PipelineTopology.Settings settings = PipelineTopology.Settings.defaults();
        return "ingest\n" + PipelineTopology.buildIngest(settings, topics, serdes, AlertRules.bundled(), metrics)
                .describe() + "\nrollup\n"
                + PipelineTopology.buildRollup(settings, topics, serdes, AlertRules.bundled(), metrics).describe();
    }
}
