package io.nodepulse.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.wire.WireSerdes;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void everyTopicLivesUnderThePrefix() {
        Topics topics = new Topics("prod.", WireSerdes.offline());
        assertThat(topics.all()).extracting(Topic::name).containsExactly("prod.metrics", "prod.metrics.valid",
                "prod.rollup.1m", "prod.rollup.1h", "prod.node-status", "prod.alerts", "prod.late", "prod.dlq",
                "prod.schemas");
    }

    @Test
    void statusAndSchemasAreCompactedTheRestDeleted() {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX, WireSerdes.offline());
        assertThat(topics.nodeStatus().allConfigs()).containsEntry("cleanup.policy", "compact");
        assertThat(topics.schemas().allConfigs()).containsEntry("cleanup.policy", "compact")
                .doesNotContainKey("retention.ms");
        assertThat(topics.metrics().allConfigs()).containsEntry("cleanup.policy", "delete")
                .containsKey("retention.ms");
        assertThat(TopicAdmin.partitionsFor(topics, topics.schemas(), 6)).isEqualTo(1);
        assertThat(TopicAdmin.partitionsFor(topics, topics.metrics(), 6)).isEqualTo(6);
    }

    @Test
    void refusesPrefixesKafkaWouldRefuse() {
        assertThatThrownBy(() -> new Topics("bad prefix/", WireSerdes.offline()))
                .hasMessageContaining("bad prefix/");
    }
}
