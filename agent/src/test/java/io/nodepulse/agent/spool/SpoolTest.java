package io.nodepulse.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodepulse.ops.MetricRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    private static final UUID RUN = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @TempDir
    Path dir;

    private final MetricRegistry registry = new MetricRegistry();
    private final SpoolMetrics metrics = new SpoolMetrics(registry);

    private SpoolSettings settings(long maxBytes, long segmentBytes, FsyncPolicy fsync) {
        return SpoolSettings.of(dir.resolve("spool"), maxBytes, fsync, Duration.ofSeconds(1))
                .withSegmentBytes(segmentBytes).withLockWait(Duration.ZERO);
    }

    private SpoolSettings small() {
        return settings(1 << 20, 4096, FsyncPolicy.ALWAYS);
    }

    private static SpoolEvent event(long seq) {
        return event(RUN, seq, 200);
    }

    private static SpoolEvent event(UUID run, long seq, int valueBytes) {
        byte[] value = new byte[valueBytes];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (seq * 31 + i);
        }
        return new SpoolEvent(run, seq, "node-a".getBytes(StandardCharsets.UTF_8), value);
    }

    private static List<SpoolRecord> readAll(Spool spool) throws IOException {
        List<SpoolRecord> all = new ArrayList<>();
        while (true) {
            List<SpoolRecord> batch = spool.next(7, Long.MAX_VALUE);
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    private static List<Long> seqs(List<SpoolRecord> records) {
        return records.stream().map(r -> r.event().seq()).toList();
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("spool"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    @Test
    void recordsComeBackInOrderWithTheirContent() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            for (long i = 1; i <= 5; i++) {
                assertThat(spool.append(event(i))).isTrue();
            }
            List<SpoolRecord> records = readAll(spool);
            assertThat(seqs(records)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(records.get(2).event().value()).isEqualTo(event(3).value());
            assertThat(records.get(2).event().key()).isEqualTo("node-a".getBytes(StandardCharsets.UTF_8));
            assertThat(records.get(2).event().runId()).isEqualTo(RUN);
            assertThat(records).extracting(SpoolRecord::id).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(spool.hasUnsent()).isFalse();
        }
        assertThat(metrics.spooled()).isEqualTo(5);
    }

    @Test
    void unacknowledgedRecordsAreReplayedInOrderAfterARestartBeforeNewOnes() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            for (long i = 1; i <= 10; i++) {
                spool.append(event(i));
            }
            List<SpoolRecord> sent = spool.next(3, Long.MAX_VALUE);
            spool.ack(sent.get(2));
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(spool.firstIdThisRun()).isEqualTo(11);
            spool.append(event(11));
            spool.append(event(12));
            assertThat(seqs(readAll(spool))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
            assertThat(spool.status().pending()).isEqualTo(9);
        }
    }

    @Test
    void ackProgressSurvivesACrashUnderFsyncAlways() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 8; i++) {
            first.append(event(i));
        }
        List<SpoolRecord> sent = first.next(7, Long.MAX_VALUE);
        first.ack(sent.get(6));
        first.abandon();
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(spool.acked()).isEqualTo(7);
            assertThat(seqs(readAll(spool))).containsExactly(8L);
        }
    }

    @Test
    void ackProgressIsWrittenByMaintainUnderFsyncInterval() throws IOException {
        AtomicLong now = new AtomicLong();
        SpoolSettings s = settings(1 << 20, 4096, FsyncPolicy.INTERVAL);
        Spool first = Spool.open(s, metrics, now::get, Spool.WriteGate.NONE);
        for (long i = 1; i <= 4; i++) {
            first.append(event(i));
        }
        first.ack(first.next(2, Long.MAX_VALUE).get(1));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        first.maintain();
        first.abandon();
        try (Spool spool = Spool.open(s, metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(3L, 4L);
        }
    }

    @Test
    void rewindSendsEverythingUnacknowledgedAgainInOrder() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            for (long i = 1; i <= 30; i++) {
                spool.append(event(i));
            }
            List<SpoolRecord> window = spool.next(10, Long.MAX_VALUE);
            spool.ack(window.get(3));
            spool.rewind();
            assertThat(seqs(readAll(spool))).first().isEqualTo(5L);
            spool.rewind();
            assertThat(seqs(readAll(spool))).hasSize(26).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aTornTailFromACrashWhileWritingIsCutOffAndCounted() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 5; i++) {
            first.append(event(i));
        }
        first.abandon();
        Path segment = segmentFiles().get(0);
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 50);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(metrics.corruptRecords()).isEqualTo(1);
            assertThat(metrics.corruptBytes()).isEqualTo(RecordFormat.frameLength(event(5)) - 50);
            spool.append(event(6));
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 3L, 4L, 6L);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 3L, 4L, 6L);
            assertThat(metrics.corruptRecords()).isEqualTo(1);
        }
    }

    @Test
    void aSegmentTornInsideItsFirstRecordIsRemoved() throws IOException {
        Spool first = Spool.open(small(), metrics);
        first.append(event(1));
        first.abandon();
        Path segment = segmentFiles().get(0);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(RecordFormat.SEGMENT_HEADER + 20);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(readAll(spool)).isEmpty();
            assertThat(metrics.corruptRecords()).isEqualTo(1);
            spool.append(event(2));
            assertThat(seqs(readAll(spool))).containsExactly(2L);
        }
    }

    @Test
    void aCorruptCrcInTheMiddleSkipsThatRecordOnlyAndCountsIt() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 10; i++) {
            first.append(event(i));
        }
        first.abandon();
        int frame = RecordFormat.frameLength(event(1));
        long fifthPayload = RecordFormat.SEGMENT_HEADER + 4L * frame + RecordFormat.FRAME_HEADER + 60;
        flipByte(segmentFiles().get(0), fifthPayload);
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L);
            assertThat(metrics.corruptRecords()).isEqualTo(1);
            assertThat(metrics.corruptBytes()).isEqualTo(frame);
            spool.rewind();
            assertThat(readAll(spool)).hasSize(9);
            assertThat(metrics.corruptRecords()).as("a region is counted once").isEqualTo(1);
        }
    }

    @Test
    void anOlderSegmentCutAtARecordBoundaryCountsTheRecordsItLost() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 40; i++) {
            first.append(event(i));
        }
        first.abandon();
        List<Path> files = segmentFiles();
        assertThat(files).hasSizeGreaterThan(1);
        int frame = RecordFormat.frameLength(event(1));
        long perSegment = (Files.size(files.get(0)) - RecordFormat.SEGMENT_HEADER) / frame;
        try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
            f.setLength(RecordFormat.SEGMENT_HEADER + (perSegment - 2) * frame);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            List<Long> read = seqs(readAll(spool));
            assertThat(read).hasSize(38).doesNotContain(perSegment - 1, perSegment);
            assertThat(metrics.corruptRecords()).as("the two records the cut took").isEqualTo(2);
            for (int round = 0; round < 3; round++) {
                spool.rewind();
                assertThat(readAll(spool)).hasSize(38);
            }
            assertThat(metrics.corruptRecords()).as("counted once, however often it is read").isEqualTo(2);
        }
    }

    @Test
    void aCorruptLengthFieldIsResyncedByScanningForward() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 6; i++) {
            first.append(event(i));
        }
        first.abandon();
        int frame = RecordFormat.frameLength(event(1));
        try (RandomAccessFile f = new RandomAccessFile(segmentFiles().get(0).toFile(), "rw")) {
            f.seek(RecordFormat.SEGMENT_HEADER + 2L * frame);
            f.writeInt(7);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 4L, 5L, 6L);
            assertThat(metrics.corruptRecords()).isEqualTo(1);
        }
    }

    @Test
    void garbageAtTheEndOfAnOlderSegmentSkipsToTheNextSegment() throws IOException {
        Spool first = Spool.open(small(), metrics);
        for (long i = 1; i <= 40; i++) {
            first.append(event(i));
        }
        first.abandon();
        List<Path> files = segmentFiles();
        assertThat(files).hasSizeGreaterThan(2);
        Path firstSegment = files.get(0);
        long size = Files.size(firstSegment);
        int frame = RecordFormat.frameLength(event(1));
        flipByte(firstSegment, size - frame + RecordFormat.FRAME_HEADER + 1);
        try (Spool spool = Spool.open(small(), metrics)) {
            List<Long> seqs = seqs(readAll(spool));
            assertThat(seqs).hasSize(39).isSorted();
            assertThat(metrics.corruptRecords()).isEqualTo(1);
        }
    }

    @Test
    void segmentsRollOverAndAreDeletedOnceEveryRecordInThemIsAcknowledged() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            for (long i = 1; i <= 60; i++) {
                spool.append(event(i));
            }
            int frame = RecordFormat.frameLength(event(1));
            int perSegment = (4096 - RecordFormat.SEGMENT_HEADER) / frame;
            List<Path> before = segmentFiles();
            assertThat(before).hasSize((60 + perSegment - 1) / perSegment);
            for (Path p : before) {
                assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
            }
            List<SpoolRecord> records = readAll(spool);
            spool.ack(records.get(2 * perSegment));
            List<Path> after = segmentFiles();
            assertThat(after).hasSize(before.size() - 2);
            assertThat(after.get(0)).isEqualTo(before.get(2));
            spool.ack(records.get(59));
            assertThat(segmentFiles()).hasSize(1);
            assertThat(spool.status().pending()).isZero();
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(readAll(spool)).isEmpty();
            spool.append(event(61));
            List<SpoolRecord> records = readAll(spool);
            assertThat(records).extracting(SpoolRecord::id).containsExactly(61L);
        }
    }

    @Test
    void aFullBudgetDropsTheOldestRecordsAndCountsThem() throws IOException {
        int frame = RecordFormat.frameLength(event(1));
        SpoolSettings s = settings(8 * 1024, 2048, FsyncPolicy.NEVER);
        try (Spool spool = Spool.open(s, metrics)) {
            for (long i = 1; i <= 200; i++) {
                spool.append(event(i));
                assertThat(spool.status().bytes()).isLessThanOrEqualTo(8 * 1024);
            }
            List<Long> kept = seqs(readAll(spool));
            assertThat(kept).isNotEmpty().isSorted().endsWith(200L);
            assertThat(kept.get(0) + kept.size() - 1).as("no gaps in what is kept").isEqualTo(200L);
            assertThat(metrics.dropped("budget")).isEqualTo(200 - kept.size());
            assertThat(kept.size()).isGreaterThan(8 * 1024 / frame - 2 * 2048 / frame);
            assertThat(spool.status().lastBudgetDropMillis()).isPositive();
        }
    }

    @Test
    void budgetDropsMoveTheCursorToTheOldestRecordLeft() throws IOException {
        SpoolSettings s = settings(8 * 1024, 2048, FsyncPolicy.NEVER);
        try (Spool spool = Spool.open(s, metrics)) {
            spool.append(event(1));
            assertThat(seqs(spool.next(1, Long.MAX_VALUE))).containsExactly(1L);
            for (long i = 2; i <= 100; i++) {
                spool.append(event(i));
            }
            List<Long> rest = seqs(readAll(spool));
            assertThat(rest).isSorted().endsWith(100L);
            assertThat(rest.get(0)).isGreaterThan(2L);
            assertThat(metrics.dropped("budget")).as("event 1 is being sent: not counted yet")
                    .isEqualTo(99 - rest.size());
            spool.rewind();
            assertThat(metrics.dropped("budget")).as("its window failed: lost").isEqualTo(100 - rest.size());
        }
    }

    @Test
    void eventsDroppedWhileBeingSentAreNotCountedWhenKafkaAcknowledgesThem() throws IOException {
        SpoolSettings s = settings(8 * 1024, 2048, FsyncPolicy.NEVER);
        long expected;
        try (Spool spool = Spool.open(s, metrics)) {
            spool.append(event(1));
            spool.append(event(2));
            List<SpoolRecord> window = spool.next(2, Long.MAX_VALUE);
            for (long i = 3; i <= 100; i++) {
                spool.append(event(i));
            }
            List<Long> rest = seqs(readAll(spool));
            assertThat(rest.get(0)).as("the segment holding the window was dropped").isGreaterThan(3L);
            window.forEach(spool::ack);
            expected = 98 - rest.size();
            assertThat(metrics.dropped("budget")).as("only events never handed to Kafka").isEqualTo(expected);
        }
        assertThat(metrics.dropped("budget")).as("nothing more at close").isEqualTo(expected);
    }

    @Test
    void aFullDiskKeepsEventsInMemoryAndWritesThemInOrderWhenSpaceReturns() throws IOException {
        AtomicBoolean full = new AtomicBoolean();
        Spool.WriteGate gate = (file, position, frame) -> {
            if (full.get()) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ByteBuffer half = frame.duplicate();
                    half.limit(half.position() + half.remaining() / 2);
                    ch.write(half, position);
                }
                throw new IOException("No space left on device");
            }
        };
        try (Spool spool = Spool.open(small(), metrics, System::nanoTime, gate)) {
            assertThat(spool.append(event(1))).isTrue();
            full.set(true);
            assertThat(spool.append(event(2))).isFalse();
            assertThat(spool.append(event(3))).isFalse();
            assertThat(spool.status().writeFailure()).contains("No space left on device");
            assertThat(spool.status().heldEvents()).isEqualTo(2);
            assertThat(spool.status().pending()).isEqualTo(3);
            assertThat(metrics.writeErrors()).isEqualTo(2);
            assertThat(seqs(readAll(spool))).containsExactly(1L);
            full.set(false);
            spool.maintain();
            assertThat(spool.status().writeFailure()).isNull();
            assertThat(spool.status().heldEvents()).isZero();
            assertThat(spool.append(event(4))).isTrue();
            assertThat(seqs(readAll(spool))).containsExactly(2L, 3L, 4L);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 3L, 4L);
            assertThat(metrics.corruptRecords()).as("the half-written record was cut off").isZero();
        }
    }

    @Test
    void housekeepingRunsOnItsOwnThreadWhileNobodyElseCallsIt() throws Exception {
        AtomicBoolean full = new AtomicBoolean(true);
        Spool.WriteGate gate = (file, position, frame) -> {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
        };
        try (Spool spool = Spool.open(settings(1 << 20, 4096, FsyncPolicy.INTERVAL), metrics, System::nanoTime,
                gate)) {
            spool.startHousekeeping(Duration.ofMillis(20));
            assertThat(spool.append(event(1))).isFalse();
            assertThat(spool.append(event(2))).isFalse();
            full.set(false);
            // no maintain() here: the sender may be blocked in a send for the producer's delivery timeout
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (spool.status().heldEvents() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(spool.status().heldEvents()).as("held events written by the housekeeping thread").isZero();
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L);
        }
    }

    @Test
    void aFailedFsyncUnderAlwaysHoldsTheEventInsteadOfSendingItUndurable() throws IOException {
        AtomicBoolean failing = new AtomicBoolean();
        Spool.WriteGate gate = new Spool.WriteGate() {
            @Override
            public void beforeWrite(Path file, long position, ByteBuffer frame) {
            }

            @Override
            public void beforeForce(Path file) throws IOException {
                if (failing.get()) {
                    throw new IOException("Input/output error");
                }
            }
        };
        try (Spool spool = Spool.open(small(), metrics, System::nanoTime, gate)) {
            assertThat(spool.append(event(1))).isTrue();
            failing.set(true);
            assertThat(spool.append(event(2))).as("not durable, so not handed to the producer").isFalse();
            assertThat(spool.status().writeFailure()).contains("Input/output error");
            assertThat(spool.status().heldEvents()).isEqualTo(1);
            assertThat(seqs(readAll(spool))).containsExactly(1L);
            failing.set(false);
            spool.maintain();
            assertThat(spool.status().writeFailure()).isNull();
            assertThat(seqs(readAll(spool))).as("written once, after the failed attempt was cut off")
                    .containsExactly(2L);
        }
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L);
        }
    }

    @Test
    void theMemoryHoldIsBoundedAndDropsItsOldest() throws IOException {
        Spool.WriteGate full = (file, position, frame) -> {
            throw new IOException("No space left on device");
        };
        long bound = 3 * event(1).heapBytes();
        try (Spool spool = Spool.open(small().withMaxHeldBytes(bound), metrics, System::nanoTime, full)) {
            for (long i = 1; i <= 10; i++) {
                spool.append(event(i));
            }
            assertThat(spool.status().heldEvents()).isEqualTo(3);
            assertThat(metrics.dropped("memory")).isEqualTo(7);
        }
        assertThat(metrics.dropped("memory")).as("held events lost at close are counted").isEqualTo(10);
    }

    @Test
    void filesAreCreatedPrivate() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            spool.append(event(1));
            spool.ack(spool.next(1, Long.MAX_VALUE).get(0));
        }
        Path spoolDir = dir.resolve("spool");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolDir))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(spoolDir)) {
            for (Path p : files.toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aSecondSpoolOnTheSameDirectoryIsRefused() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThatThrownBy(() -> Spool.open(small(), metrics)).isInstanceOf(SpoolLockedException.class)
                    .hasMessageContaining("in use by another process");
            assertThat(spool.append(event(1))).as("the first spool keeps working").isTrue();
        }
    }

    @Test
    void aCorruptAckFileMeansEverythingIsSentAgainNotLost() throws IOException {
        try (Spool spool = Spool.open(small(), metrics)) {
            for (long i = 1; i <= 3; i++) {
                spool.append(event(i));
            }
            spool.ack(spool.next(2, Long.MAX_VALUE).get(1));
        }
        Files.write(dir.resolve("spool").resolve(Spool.ACK_FILE), new byte[] {1, 2, 3});
        try (Spool spool = Spool.open(small(), metrics)) {
            assertThat(seqs(readAll(spool))).containsExactly(1L, 2L, 3L);
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0xFF);
        }
    }
}
