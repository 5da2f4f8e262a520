package io.nodepulse.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.testkit.MutableClock;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaCatalogTest {
    /** A schemas-topic stand-in: returns what was published, counts reads. */
    static final class FakeSource implements SchemaSource {
        final Map<Long, Schema> published = new HashMap<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public Map<Long, Schema> refresh() {
            reads.incrementAndGet();
            return Map.copyOf(published);
        }
    }

    @Test
    void findsAPublishedSchemaOnFirstMiss() throws IOException {
        FakeSource source = new FakeSource();
        Schema next = SchemaHistoryTest.load("/evolution/NodeMetrics-next.avsc");
        source.published.put(Fingerprints.of(next), next);
        SchemaCatalog catalog = SchemaCatalog.forTest(SchemaHistory.bundled(), source, Clock.systemUTC());
        assertThat(catalog.findByFingerprint(Fingerprints.of(next))).isEqualTo(next);
        assertThat(catalog.findByFingerprint(Fingerprints.of(next))).isEqualTo(next);
        assertThat(source.reads).hasValue(1);
    }

    @Test
    void theBundledHistoryNeedsNoBroker() {
        SchemaSource unreadable = () -> {
            throw new org.apache.kafka.common.KafkaException("schemas topic unreachable");
        };
        SchemaCatalog catalog = SchemaCatalog.forTest(SchemaHistory.bundled(), unreadable, Clock.systemUTC());
        Schema v1 = SchemaHistory.bundled().versions("NodeMetrics").get(0);
        assertThat(catalog.findByFingerprint(Fingerprints.of(v1))).isEqualTo(v1);
    }

    @Test
    void randomFingerprintsCannotFillTheHeap() {
        FakeSource source = new FakeSource();
        SchemaCatalog catalog = SchemaCatalog.forTest(SchemaHistory.bundled(), source, Clock.systemUTC());
        for (long fp = 1; fp <= SchemaCatalog.MAX_MISSES + 500; fp++) {
            assertThat(catalog.findByFingerprint(fp)).isNull();
        }
        assertThat(catalog.rememberedMisses()).isLessThanOrEqualTo(SchemaCatalog.MAX_MISSES);
    }

    @Test
    void remembersAnUnknownFingerprintForAWhileSoPoisonDoesNotHammerTheTopic() throws IOException {
        FakeSource source = new FakeSource();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SchemaCatalog catalog = SchemaCatalog.forTest(SchemaHistory.bundled(), source, clock);
        for (int i = 0; i < 100; i++) {
            assertThat(catalog.findByFingerprint(42L)).isNull();
        }
        assertThat(source.reads).hasValue(1);
        clock.advance(Duration.ofSeconds(6));
        Schema next = SchemaHistoryTest.load("/evolution/NodeMetrics-next.avsc");
        source.published.put(42L, next);
        assertThat(catalog.findByFingerprint(42L)).isEqualTo(next);
        assertThat(source.reads).hasValue(2);
    }

    @Test
    void aSlowUnreachableTopicIsNotAskedAgainForEveryRecord() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicInteger reads = new AtomicInteger();
        SchemaSource slowAndDown = () -> {
            reads.incrementAndGet();
            clock.advance(Duration.ofSeconds(30)); // the whole Kafka timeout
            throw new org.apache.kafka.common.KafkaException("schemas topic unreachable: timeout");
        };
        SchemaCatalog catalog = SchemaCatalog.forTest(SchemaHistory.bundled(), slowAndDown, clock);
        for (int i = 0; i < 5; i++) {
            try {
                catalog.findByFingerprint(42L);
            } catch (org.apache.kafka.common.KafkaException e) {
                assertThat(e).hasMessageContaining("unreachable");
            }
        }
        assertThat(reads).as("one blocking read, then the miss is remembered").hasValue(1);
    }

    @Test
    void anOlderReaderDecodesANewerWriterThroughTheSource() throws IOException {
        FakeSource source = new FakeSource();
        Schema next = SchemaHistoryTest.load("/evolution/NodeMetrics-next.avsc");
        source.published.put(Fingerprints.of(next), next);
        WireSerdes reader = new WireSerdes(SchemaCatalog.forTest(SchemaHistory.bundled(), source, Clock.systemUTC()));
        NodeMetrics expected = io.nodepulse.schema.SampleMetrics.event("c", "n", "b", "r", 3,
                Instant.parse("2026-11-25T10:00:00Z"));
        byte[] bytes = NextWriter.encode(next, expected, Map.of("rack", "r1"));
        assertThat(reader.nodeMetrics().deserialize("t", bytes)).isEqualTo(expected);
    }
}
