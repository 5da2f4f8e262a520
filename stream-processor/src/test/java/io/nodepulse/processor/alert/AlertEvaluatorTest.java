package io.nodepulse.processor.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.schema.Alert;
import io.nodepulse.schema.AlertState;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** Episodes the rules no longer cover: a firing one of a rule that was removed is resolved, not dropped. */
class AlertEvaluatorTest {
    private static final Instant T0 = Instant.parse("2026-03-03T10:00:00Z");

    @Test
    void aFiringEpisodeOfARemovedRuleIsResolvedAtTheNextCheck() {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(AlertEvaluator.STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        MockProcessorContext<String, Alert> ctx = new MockProcessorContext<>();
        ctx.setCurrentSystemTimeMs(T0.plusSeconds(700).toEpochMilli());
        store.init(ctx.getStateStoreContext(), store);
        ctx.addStateStore(store);
        long since = T0.toEpochMilli();
        long lastEnd = T0.plusSeconds(600).toEpochMilli();
        // what the evaluator stored while the rule was configured: pending since, last window end, firing, value
        store.put("c1/n1\u0000old-cpu-rule\u0000null",
                ByteBuffer.allocate(25).putLong(since).putLong(lastEnd).put((byte) 1).putDouble(0.97).array());
        store.put("c1/n2\u0000old-cpu-rule\u0000null",
                ByteBuffer.allocate(25).putLong(since).putLong(lastEnd).put((byte) 0).putDouble(0.95).array());

        AlertEvaluator evaluator = new AlertEvaluator(AlertRules.bundled().metricRules(),
                new PipelineMetrics(new MetricRegistry()));
        evaluator.init(ctx);
        ctx.scheduledPunctuators().stream().filter(p -> p.getType() == PunctuationType.STREAM_TIME)
                .forEach(p -> p.getPunctuator().punctuate(lastEnd + 60_000));

        assertThat(ctx.forwarded()).singleElement().satisfies(f -> {
            Alert a = f.record().value();
            assertThat(a.getNode()).isEqualTo("n1");
            assertThat(a.getRule()).isEqualTo("old-cpu-rule");
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getDevice()).isNull();
            assertThat(a.getSince()).isEqualTo(T0);
            assertThat(a.getSummary()).isEqualTo("resolved: rule old-cpu-rule is no longer configured");
        });
        try (var all = store.all()) {
            assertThat(all).toIterable().as("both episodes are gone").isEmpty();
        }
    }
}
