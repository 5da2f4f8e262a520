package io.nodepulse.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamsFailuresTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Duration> waits = new ArrayList<>();
    private final StreamsFailures failures = new StreamsFailures(Path.of("/var/lib/nodepulse/processor"),
            d -> {
                waits.add(d);
                now.addAndGet(d.toMillis());
            }, now::get);

    private static Throwable fullDisk() {
        // as RocksDB's write failure reaches the handler: wrapped by Streams, the OS error innermost
        return new org.apache.kafka.streams.errors.StreamsException(new ProcessorStateException(
                "Error while putting key/value into store rollup-1m-store",
                new IOException("While appending to file: 000123.log: No space left on device")));
    }

    @Test
    void aFullStateDirectoryIsWaitedOutWithGrowingPausesAndNamedInReadiness() {
        for (int i = 0; i < 8; i++) {
            assertThat(failures.onFailure("rollup", fullDisk())).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofMinutes(1),
                Duration.ofMinutes(1));
        assertThat(failures.problem()).contains("/var/lib/nodepulse/processor is full", "No space left on device",
                "NODEPULSE_STATE_DIR");
    }

    @Test
    void theProblemFadesOnceTheFailuresStopAndANewEpisodeStartsShort() {
        failures.onFailure("ingest", fullDisk());
        failures.onFailure("ingest", fullDisk());
        now.addAndGet(Duration.ofMinutes(3).toMillis());
        assertThat(failures.problem()).isNull();
        failures.onFailure("ingest", fullDisk());
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void anyOtherFailureStopsTheClientAtOnce() {
        assertThat(failures.onFailure("ingest", new IllegalStateException("bug")))
                .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(failures.onFailure("ingest", new ProcessorStateException("corrupt",
                new IOException("Input/output error")))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(waits).isEmpty();
        assertThat(failures.problem()).isNull();
    }
}
