package io.nodepulse.processor.validate;

import static io.nodepulse.processor.Harness.START;
import static io.nodepulse.processor.Harness.at;
import static io.nodepulse.processor.Harness.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodepulse.processor.Harness;
import io.nodepulse.schema.NodeMetrics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValidationTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    private TestRecord<byte[], byte[]> onlyDlqRecord() {
        List<TestRecord<byte[], byte[]>> dlq = h.dlq.readRecordsToList();
        assertThat(dlq).hasSize(1);
        return dlq.get(0);
    }

    private void assertRejected(String key, byte[] value, String reason, long offset) {
        TestRecord<byte[], byte[]> r = onlyDlqRecord();
        assertThat(r.value()).as("original bytes").isEqualTo(value);
        assertThat(r.key()).isEqualTo(key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(header(r, DlqHeaders.REASON)).isEqualTo(reason);
        assertThat(header(r, DlqHeaders.TOPIC)).isEqualTo(h.topics.metrics().name());
        assertThat(header(r, DlqHeaders.PARTITION)).isEqualTo("0");
        assertThat(header(r, DlqHeaders.OFFSET)).isEqualTo(Long.toString(offset));
        assertThat(header(r, DlqHeaders.DETAIL)).isNotBlank();
        assertThat(header(r, DlqHeaders.APPLICATION)).isEqualTo("ttd");
        assertThat(h.metrics.dlq.get(reason)).isEqualTo(1);
        assertThat(h.valid.isEmpty()).isTrue();
        assertThat(h.late.isEmpty()).isTrue();
    }

    /** After any rejection the pipeline goes on: a good event still reaches metrics.valid. */
    private void assertStillFlows() {
        NodeMetrics good = at("n1", Duration.ofSeconds(10));
        h.send(good);
        assertThat(h.validEvents()).containsExactly(good);
        assertThat(h.dlq.isEmpty()).isTrue();
    }

    @Test
    void garbageBytesAreRejectedAsBadMagic() {
        byte[] garbage = "{\"not\": \"avro\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        h.sendRaw("n1", garbage);
        assertRejected("n1", garbage, "bad-magic", 0);
        assertStillFlows();
    }

    @Test
    void wrongMagicIsRejected() {
        byte[] bytes = h.encode(at("n1", Duration.ZERO));
        bytes[1] = 0x02;
        h.sendRaw("n1", bytes);
        assertRejected("n1", bytes, "bad-magic", 0);
        assertStillFlows();
    }

    @Test
    void unknownFingerprintIsRejectedWithTheFingerprintInAHeader() {
        byte[] bytes = h.encode(at("n1", Duration.ZERO));
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1122334455667788L);
        h.sendRaw("n1", bytes);
        TestRecord<byte[], byte[]> r = onlyDlqRecord();
        assertThat(header(r, DlqHeaders.REASON)).isEqualTo("unknown-fingerprint");
        assertThat(header(r, DlqHeaders.FINGERPRINT)).isEqualTo("1122334455667788");
        assertThat(r.value()).isEqualTo(bytes);
        assertStillFlows();
    }

    @Test
    void truncatedBodyIsRejectedAsMalformed() {
        byte[] bytes = h.encode(at("n1", Duration.ZERO));
        byte[] truncated = Arrays.copyOf(bytes, 40);
        h.sendRaw("n1", truncated);
        assertRejected("n1", truncated, "malformed", 0);
        assertStillFlows();
    }

    @Test
    void emptyValueIsRejected() {
        h.sendRaw("n1", new byte[0]);
        assertRejected("n1", new byte[0], "malformed", 0);
    }

    static List<Arguments> impossibleValues() {
        return List.of(
                Arguments.of("negative gauge", "negative-value",
                        (Consumer<NodeMetrics>) e -> e.getMemory().setCachedBytes(-1L)),
                Arguments.of("negative counter", "negative-value",
                        (Consumer<NodeMetrics>) e -> e.getDisks().get(0).setReadsTotal(-5L)),
                Arguments.of("used above total", "inconsistent",
                        (Consumer<NodeMetrics>) e -> e.getMemory().setUsedBytes(e.getMemory().getTotalBytes() + 1)),
                Arguments.of("filesystem used above size", "inconsistent",
                        (Consumer<NodeMetrics>) e -> e.getFilesystems().get(0).setUsedBytes(200L << 30)),
                Arguments.of("NaN", "not-finite",
                        (Consumer<NodeMetrics>) e -> e.getLoad().setLoad1(Double.NaN)),
                Arguments.of("infinity", "not-finite",
                        (Consumer<NodeMetrics>) e -> e.getCpu().setBusyRatio(Double.POSITIVE_INFINITY)),
                Arguments.of("ratio above one", "out-of-range",
                        (Consumer<NodeMetrics>) e -> e.getCpu().setBusyRatio(1.5)),
                Arguments.of("percentage above 100", "out-of-range",
                        (Consumer<NodeMetrics>) e -> e.getPressure().getIoPressure().setSomeAvg10(180.0)),
                Arguments.of("empty node", "bad-envelope",
                        (Consumer<NodeMetrics>) e -> e.setCluster("")),
                Arguments.of("boot id too long for the liveness store", "bad-envelope",
                        (Consumer<NodeMetrics>) e -> e.setBootId("x".repeat(70_000))),
                Arguments.of("agent version too long", "bad-envelope",
                        (Consumer<NodeMetrics>) e -> e.setAgentVersion("v".repeat(254))),
                Arguments.of("slash in the cluster", "bad-envelope",
                        (Consumer<NodeMetrics>) e -> e.setCluster("a/b")),
                Arguments.of("zero interval", "bad-envelope",
                        (Consumer<NodeMetrics>) e -> e.setIntervalMs(0)),
                Arguments.of("future event time", "event-time-future",
                        (Consumer<NodeMetrics>) e -> e.setEventTime(START.plus(Duration.ofMinutes(6)))),
                Arguments.of("ancient event time", "event-time-past",
                        (Consumer<NodeMetrics>) e -> e.setEventTime(START.minus(Duration.ofDays(8)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impossibleValues")
    void impossibleValuesAreRejectedWithTheirReason(String name, String reason, Consumer<NodeMetrics> spoil) {
        NodeMetrics e = at("n1", Duration.ofSeconds(10));
        spoil.accept(e);
        byte[] bytes = h.encode(e);
        h.sendRaw("n1", bytes);
        assertRejected("n1", bytes, reason, 0);
        assertStillFlows();
    }

    @Test
    void signedGaugesAndSmallRatioOvershootAreAccepted() {
        NodeMetrics e = at("n1", Duration.ofSeconds(10));
        e.getClock().setOffsetSeconds(-0.25);
        e.getThermalZones().get(0).setCelsius(-12.0);
        e.getCpu().setBusyRatio(1.02);
        h.send(e);
        assertThat(h.validEvents()).containsExactly(e);
        assertThat(h.dlq.isEmpty()).isTrue();
    }

    @Test
    void keyThatIsNotTheNodeIsRejected() {
        byte[] bytes = h.encode(at("n1", Duration.ZERO));
        h.sendRaw("someone-else", bytes);
        assertRejected("someone-else", bytes, "key-mismatch", 0);
        h.sendRaw(null, bytes);
        assertThat(header(h.dlq.readRecord(), DlqHeaders.REASON)).isEqualTo("key-mismatch");
    }

    @Test
    void originalHeadersAreKeptOnDeadLetters() {
        byte[] garbage = {1, 2, 3};
        h.sendRecord(new TestRecord<>("n1".getBytes(), garbage,
                new org.apache.kafka.common.header.internals.RecordHeaders().add("trace", "abc".getBytes()), START));
        TestRecord<byte[], byte[]> r = onlyDlqRecord();
        assertThat(header(r, "trace")).isEqualTo("abc");
        assertThat(header(r, DlqHeaders.REASON)).isEqualTo("bad-magic");
    }
}
