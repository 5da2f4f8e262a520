package io.nodepulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsStatusTest {
    @TempDir
    Path stateDir;

    @Test
    void lagIsCountedOnceWhenTheTopicNameHasUnderscoresAndDots() {
        try (LagOnly streams = new LagOnly(stateDir)) {
            // the consumer reports a dotted topic under its name and again with '.' replaced by '_'
            streams.lag("team_a.metrics", 0, 5);
            streams.lag("team_a_metrics", 0, 5);
            streams.lag("plain_name", 1, 7);
            MetricRegistry registry = new MetricRegistry();
            new StreamsStatus(Map.of("ingest", streams), registry);

            String text = registry.scrape();
            assertThat(text).contains("topic=\"team_a.metrics\"", "topic=\"plain_name\"")
                    .doesNotContain("topic=\"team_a_metrics\"");
        }
    }

    /** A client that is never started and reports only the lag metrics it is given. */
    private static final class LagOnly extends KafkaStreams {
        private final Map<MetricName, Metric> metrics = new HashMap<>();

        LagOnly(Path stateDir) {
            super(topology(), props(stateDir));
        }

        private static org.apache.kafka.streams.Topology topology() {
            StreamsBuilder b = new StreamsBuilder();
            b.stream("in");
            return b.build();
        }

        private static Properties props(Path stateDir) {
            Properties p = new Properties();
            p.put("application.id", "status-test");
            p.put("bootstrap.servers", "127.0.0.1:1");
            p.put("state.dir", stateDir.toString());
            return p;
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return metrics;
        }

        void lag(String topic, int partition, double value) {
            MetricName name = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
                    Map.of("client-id", "status-test-StreamThread-1-consumer", "topic", topic,
                            "partition", Integer.toString(partition)));
            metrics.put(name, new Metric() {
                @Override
                public MetricName metricName() {
                    return name;
                }

                @Override
                public Object metricValue() {
                    return value;
                }
            });
        }
    }
}
