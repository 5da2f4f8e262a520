package io.nodepulse.agent.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead spool: events are appended here before the producer sees them and released once Kafka
 * acknowledges them.
 * <ul>
 *   <li>Append-only segment files ({@link RecordFormat}), each record with a CRC32C and a record id that grows
 *       by one per record, across restarts.</li>
 *   <li>A single send cursor reads records in id order; {@link #rewind()} moves it back to the first record not
 *       yet acknowledged, so re-sends keep the order.</li>
 *   <li>Acknowledgement progress is the highest acknowledged id, kept in the file {@code acked} (replaced
 *       atomically); segments whose records are all acknowledged are deleted.</li>
 *   <li>Over the byte budget, the oldest segment is dropped and its unacknowledged records are counted.</li>
 *   <li>Torn and corrupt records are skipped and counted; a torn tail is cut off at open.</li>
 *   <li>When the disk refuses a write (full disk), the event is held in memory, up to a bound, and written
 *       before any newer event once writes work again.</li>
 * </ul>
 * Thread-safe; one process per directory (a lock file enforces it).
 */
public final class Spool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    static final String ACK_FILE = "acked";
    static final String LOCK_FILE = "lock";
    private static final byte[] ACK_MAGIC = "NPAK".getBytes(StandardCharsets.ISO_8859_1);
    private static final int ACK_LENGTH = 16;
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR =
            PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS);

    private final SpoolSettings settings;
    private final SpoolMetrics metrics;
    private final LongSupplier nanos;
    private final WriteGate gate;
    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final long firstIdThisRun;
    private Segment active;
    private long nextId;
    private long acked;
    private long ackedWritten;
    private long bytes;

    private long cursorBase;
    private long cursorOffset;
    private long cursorLastId;
    private long headBase = -1;
    /**
     * Highest id the budget dropped while it was handed out and not yet acknowledged (-1: none). Such records
     * may still be acknowledged; they are counted as dropped only when their window fails or the spool closes.
     */
    private long droppedInFlight = -1;
    private long headOffset;
    private long countedBase = -1;
    private long countedOffset = -1;

    private final ArrayDeque<SpoolEvent> held = new ArrayDeque<>();
    private long heldBytes;
    private String writeFailure;
    private long lastBudgetDropMillis;
    private boolean dirty;
    private long lastSyncNanos;
    private volatile ScheduledExecutorService housekeeping;
    private boolean closed;

    /** Called before each record write; tests use it to simulate a full disk. */
    interface WriteGate {
        WriteGate NONE = (file, position, frame) -> { };

        void beforeWrite(Path file, long position, ByteBuffer frame) throws IOException;

        /** Called before an append is forced under {@link FsyncPolicy#ALWAYS}. */
        default void beforeForce(Path file) throws IOException {
        }
    }

    private Spool(SpoolSettings settings, SpoolMetrics metrics, LongSupplier nanos, WriteGate gate)
            throws IOException {
        this.settings = settings;
        this.metrics = metrics;
        this.nanos = nanos;
        this.gate = gate;
        this.dir = settings.dir();
        prepareDir(dir);
        this.lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), FILE_ATTR);
        FileLock l;
        try {
            l = acquireLock();
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        this.lock = l;
        try {
            recover();
        } catch (IOException | RuntimeException e) {
            abandon();
            throw e;
        }
        this.firstIdThisRun = nextId;
        this.lastSyncNanos = nanos.getAsLong();
    }

    /**
     * Opens (creating if needed) the spool in {@code settings.dir()}, recovers what an earlier run left and starts
     * its housekeeping thread, which runs {@link #maintain()} four times per fsync interval: the fsync window
     * holds whatever the sender is doing (a send may block for the producer's delivery timeout while Kafka is
     * away).
     */
    public static Spool open(SpoolSettings settings, SpoolMetrics metrics) throws IOException {
        Spool spool = new Spool(settings, metrics, System::nanoTime, WriteGate.NONE);
        spool.startHousekeeping(settings.fsyncInterval().dividedBy(4));
        return spool;
    }

    static Spool open(SpoolSettings settings, SpoolMetrics metrics, LongSupplier nanos, WriteGate gate)
            throws IOException {
        return new Spool(settings, metrics, nanos, gate);
    }

    /** Runs {@link #maintain()} every {@code period} (at least 10 ms) on a daemon thread until close. */
    void startHousekeeping(Duration period) {
        long ms = Math.max(10, period.toMillis());
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spool-housekeeping");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(() -> {
            try {
                maintain();
            } catch (RuntimeException e) {
                log.warn("spool housekeeping failed: {}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        housekeeping = s;
    }

    private static void prepareDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("spool path " + dir + " exists and is not a directory", e);
            } catch (AccessDeniedException e) {
                throw new IOException("cannot create the spool directory " + dir + ": permission denied; mount "
                        + "a writable volume there or set NODEPULSE_SPOOL_DIR", e);
            }
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("the spool directory " + dir + " is not writable by this user; mount a writable "
                    + "volume there (owned by the agent's user) or set NODEPULSE_SPOOL_DIR");
        }
        try {
            if (!Files.getPosixFilePermissions(dir).equals(DIR_PERMISSIONS)) {
                Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot restrict the permissions of {} to rwx------: {}", dir, e.toString());
        }
    }

    private FileLock acquireLock() throws IOException {
        long deadline = System.nanoTime() + settings.lockWait().toNanos();
        boolean told = false;
        while (true) {
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l != null) {
                return l;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new SpoolLockedException("the spool directory " + dir + " is in use by another process (it "
                        + "holds " + dir.resolve(LOCK_FILE) + "); only one agent may run per node and spool "
                        + "directory");
            }
            if (!told) {
                log.warn("the spool directory {} is locked by another process (an agent still stopping?); waiting "
                        + "up to {}", dir, settings.lockWait());
                told = true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the spool lock", e);
            }
        }
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        acked = readAckFile();
        ackedWritten = acked;
        Files.deleteIfExists(dir.resolve(ACK_FILE + ".tmp"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                long base = Segment.parseBase(p.getFileName().toString());
                if (base >= 0) {
                    segments.put(base, new Segment(base, p, Files.size(p)));
                }
            }
        }
        deleteAckedSegments();
        Map.Entry<Long, Segment> lastEntry = segments.lastEntry();
        long lastId = acked;
        if (lastEntry != null) {
            Segment last = lastEntry.getValue();
            scanLast(last);
            lastId = Math.max(lastId, last.lastId);
            if (segments.containsKey(last.baseId) && last.size < settings.segmentBytes()) {
                last.attach(FileChannel.open(last.path, StandardOpenOption.READ, StandardOpenOption.WRITE));
                active = last;
            }
        }
        nextId = lastId + 1;
        for (Segment s : segments.values()) {
            bytes += s.size;
        }
        Map.Entry<Long, Segment> first = segments.firstEntry();
        cursorBase = first != null ? first.getKey() : nextId;
        cursorOffset = RecordFormat.SEGMENT_HEADER;
        cursorLastId = first != null ? first.getKey() - 1 : nextId - 1;
        long pending = pendingOnDisk();
        if (pending > 0) {
            log.info("spool {}: {} segment(s), {} bytes, up to {} event(s) not yet acknowledged by Kafka (ids {}..{});"
                    + " they are sent first, in order", dir, segments.size(), bytes, pending,
                    Math.max(acked + 1, first.getKey()), nextId - 1);
        } else {
            log.info("spool {}: empty, next record id {}", dir, nextId);
        }
    }

    private long readAckFile() {
        Path p = dir.resolve(ACK_FILE);
        if (!Files.exists(p)) {
            return 0;
        }
        try {
            byte[] b = Files.readAllBytes(p);
            ByteBuffer buf = ByteBuffer.wrap(b);
            CRC32C crc = new CRC32C();
            crc.update(b, 0, Math.max(0, Math.min(b.length, ACK_LENGTH - 4)));
            if (b.length == ACK_LENGTH && buf.getInt(0) == ByteBuffer.wrap(ACK_MAGIC).getInt()
                    && buf.getInt(ACK_LENGTH - 4) == (int) crc.getValue() && buf.getLong(4) >= 0) {
                return buf.getLong(4);
            }
            metrics.corruptBytes.add(b.length);
            log.warn("the spool's ack file {} is corrupt; every spooled event will be sent again (duplicates are "
                    + "possible, nothing is lost)", p);
        } catch (IOException e) {
            log.warn("cannot read the spool's ack file {} ({}); every spooled event will be sent again", p,
                    e.toString());
        }
        return 0;
    }

    /** Finds the end of the newest segment and cuts off a torn tail. */
    private void scanLast(Segment s) throws IOException {
        boolean header = s.hasValidHeader();
        if (!header && s.size > RecordFormat.SEGMENT_HEADER) {
            log.warn("spool segment {} has a damaged header; reading its records anyway", s.path);
        }
        long offset = RecordFormat.SEGMENT_HEADER;
        long prev = s.baseId - 1;
        long validEnd = RecordFormat.SEGMENT_HEADER;
        while (true) {
            Segment.Read r = s.read(offset, prev);
            if (r == Segment.Read.END) {
                break;
            }
            if (r.bad()) {
                long found = s.findNext(offset + 1, prev);
                if (found < 0) {
                    break;
                }
                offset = found;
                continue;
            }
            prev = r.record().id();
            offset = r.record().endOffset();
            validEnd = offset;
        }
        s.lastId = prev;
        if (prev < s.baseId) {
            if (s.size > RecordFormat.SEGMENT_HEADER || (s.size > 0 && !header)) {
                metrics.corruptRecords.inc();
                metrics.corruptBytes.add(s.size);
                log.warn("spool segment {} holds no complete record ({} bytes, torn while writing); removed", s.path,
                        s.size);
            }
            s.close();
            Files.deleteIfExists(s.path);
            segments.remove(s.baseId);
            return;
        }
        if (validEnd < s.size) {
            long tail = s.size - validEnd;
            try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.WRITE)) {
                ch.truncate(validEnd);
                ch.force(true);
            }
            s.size = validEnd;
            metrics.corruptRecords.inc();
            metrics.corruptBytes.add(tail);
            log.warn("spool segment {}: cut off a torn tail of {} bytes after record {} (the agent stopped while "
                    + "writing; that event never reached the producer)", s.path, tail, prev);
        }
    }

    // ---------------------------------------------------------------- appending

    /**
     * Appends an event. Returns true when it is on disk; false when the disk refused the write and it is held in
     * memory (or was dropped as oversize). Never throws for I/O problems: they are counted and reported by
     * {@link #status()}.
     */
    public synchronized boolean append(SpoolEvent event) {
        ensureOpen();
        if (!held.isEmpty() && !flushHeld()) {
            hold(event);
            return false;
        }
        try {
            write(event);
            clearWriteFailure();
            return true;
        } catch (IOException e) {
            noteWriteFailure(e);
            hold(event);
            return false;
        }
    }

    private boolean flushHeld() {
        int written = 0;
        while (!held.isEmpty()) {
            SpoolEvent e = held.peek();
            try {
                write(e);
            } catch (IOException ex) {
                noteWriteFailure(ex);
                return false;
            }
            held.poll();
            heldBytes -= e.heapBytes();
            written++;
        }
        if (written > 0) {
            log.info("spool writes work again: wrote {} event(s) that were held in memory", written);
        }
        clearWriteFailure();
        return true;
    }

    private void hold(SpoolEvent event) {
        held.add(event);
        heldBytes += event.heapBytes();
        while (heldBytes > settings.maxHeldBytes() && held.size() > 1) {
            SpoolEvent dropped = held.poll();
            heldBytes -= dropped.heapBytes();
            metrics.dropped.inc("memory");
            log.warn("dropped the oldest event held in memory (run {} seq {}): the disk still refuses writes and the "
                    + "hold is full ({} bytes)", dropped.runId(), dropped.seq(), settings.maxHeldBytes());
        }
    }

    private void noteWriteFailure(IOException e) {
        metrics.writeErrors.inc();
        String why = e.getMessage() != null ? e.getMessage() : e.toString();
        if (writeFailure == null) {
            log.error("cannot write to the spool in {}: {}. Events are kept in memory (up to {} bytes) and written "
                    + "as soon as the disk accepts writes again; free space on that volume or raise its size",
                    dir, why, settings.maxHeldBytes());
        } else {
            log.debug("spool write failed again: {}", why);
        }
        writeFailure = why;
    }

    private void clearWriteFailure() {
        writeFailure = null;
    }

    private void write(SpoolEvent event) throws IOException {
        int frameLength = RecordFormat.frameLength(event);
        if (frameLength - RecordFormat.FRAME_HEADER > RecordFormat.MAX_PAYLOAD
                || frameLength + RecordFormat.SEGMENT_HEADER > settings.maxBytes()) {
            metrics.dropped.inc("oversize");
            log.error("dropped event run {} seq {}: {} bytes do not fit the spool (budget {} bytes)", event.runId(),
                    event.seq(), frameLength, settings.maxBytes());
            return;
        }
        makeRoom(frameLength);
        if (needsRoll(frameLength)) {
            roll();
        }
        ByteBuffer frame = RecordFormat.frame(nextId, event);
        FileChannel ch = active.channel();
        long position = active.size;
        try {
            gate.beforeWrite(active.path, position, frame.duplicate());
            ch.position(position);
            while (frame.hasRemaining()) {
                ch.write(frame);
            }
            if (settings.fsync() == FsyncPolicy.ALWAYS) {
                // a failed fsync is a failed write: the record is cut off and the event held, not sent undurable
                gate.beforeForce(active.path);
                ch.force(false);
            }
        } catch (IOException e) {
            try {
                ch.truncate(position);
            } catch (IOException t) {
                log.warn("cannot cut a partly written record off {}: {}; starting a new segment", active.path, t);
                closeActive();
            }
            throw e;
        }
        active.size = position + frameLength;
        active.lastId = nextId;
        nextId++;
        bytes += frameLength;
        dirty = settings.fsync() != FsyncPolicy.ALWAYS; // under ALWAYS it was forced above
        metrics.spooled.inc();
        notifyAll();
    }

    private boolean needsRoll(long incoming) {
        return active == null || (active.size + incoming > settings.segmentBytes()
                && active.size > RecordFormat.SEGMENT_HEADER);
    }

    /** Drops the oldest segments until {@code incoming} more bytes fit the budget. */
    private void makeRoom(long incoming) {
        while (bytes + incoming + (needsRoll(incoming) ? RecordFormat.SEGMENT_HEADER : 0) > settings.maxBytes()) {
            Map.Entry<Long, Segment> oldest = segments.firstEntry();
            if (oldest == null) {
                return;
            }
            Segment s = oldest.getValue();
            if (s == active) {
                if (s.size <= RecordFormat.SEGMENT_HEADER) {
                    return;
                }
                closeActive();
            }
            drop(s);
        }
    }

    private void drop(Segment s) {
        Long nextBase = segments.higherKey(s.baseId);
        long lastInSegment = nextBase != null ? nextBase - 1 : nextId - 1;
        long firstUnacked = Math.max(s.baseId, acked + 1);
        long firstNotHandedOut = Math.max(firstUnacked, cursorLastId + 1);
        long lost = Math.max(0, lastInSegment - firstNotHandedOut + 1);
        long lastInFlight = Math.min(lastInSegment, cursorLastId);
        deleteSegment(s);
        lastBudgetDropMillis = System.currentTimeMillis();
        if (lastInFlight >= firstUnacked) {
            droppedInFlight = Math.max(droppedInFlight, lastInFlight);
            log.warn("spool over its budget of {} bytes: dropped event(s) {}..{}, which are being sent; they count "
                    + "as dropped unless Kafka acknowledges them", settings.maxBytes(), firstUnacked, lastInFlight);
        }
        if (lost > 0) {
            metrics.dropped.add(lost, "budget");
            log.warn("spool over its budget of {} bytes: dropped the oldest {} event(s) (ids {}..{}) that Kafka had "
                    + "not acknowledged", settings.maxBytes(), lost, firstNotHandedOut, lastInSegment);
        }
        if (cursorBase == s.baseId) {
            cursorBase = nextBase != null ? nextBase : nextId;
            cursorOffset = RecordFormat.SEGMENT_HEADER;
            cursorLastId = Math.max(cursorLastId, lastInSegment);
        }
    }

    private void deleteSegment(Segment s) {
        s.close();
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            metrics.writeErrors.inc();
            log.warn("cannot delete spool segment {}: {}", s.path, e.toString());
        }
        segments.remove(s.baseId);
        bytes -= s.size;
        if (s == active) {
            active = null;
        }
        if (headBase == s.baseId) {
            headBase = -1;
        }
    }

    private void roll() throws IOException {
        closeActive();
        Path path = dir.resolve(Segment.fileName(nextId));
        Segment stale = segments.remove(nextId);
        if (stale != null) {
            stale.close();
            bytes -= stale.size;
        }
        FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE), FILE_ATTR);
        try {
            ByteBuffer header = ByteBuffer.wrap(RecordFormat.SEGMENT_MAGIC);
            while (header.hasRemaining()) {
                ch.write(header, RecordFormat.SEGMENT_HEADER - header.remaining());
            }
            if (settings.fsync() != FsyncPolicy.NEVER) {
                ch.force(true);
                syncDir();
            }
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
        Segment s = new Segment(nextId, path, RecordFormat.SEGMENT_HEADER);
        s.attach(ch);
        segments.put(nextId, s);
        bytes += RecordFormat.SEGMENT_HEADER;
        active = s;
    }

    private void closeActive() {
        if (active == null) {
            return;
        }
        if (dirty && settings.fsync() != FsyncPolicy.NEVER) {
            force();
        }
        active = null;
    }

    private void force() {
        if (active == null) {
            return;
        }
        try {
            active.channel().force(false);
            dirty = false;
        } catch (IOException e) {
            metrics.writeErrors.inc();
            log.error("fsync of spool segment {} failed: {}", active.path, e.toString());
        }
    }

    private void syncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("fsync of directory {} failed: {}", dir, e.toString());
        }
    }

    // ---------------------------------------------------------------- reading and acknowledging

    /**
     * The next records after the send cursor, in id order, at most {@code maxRecords} and about
     * {@code maxBytes}; the cursor moves past them. Torn and corrupt records are skipped and counted.
     */
    public synchronized List<SpoolRecord> next(int maxRecords, long maxBytes) throws IOException {
        ensureOpen();
        List<SpoolRecord> out = new ArrayList<>();
        long outBytes = 0;
        while (out.size() < maxRecords && outBytes < maxBytes) {
            Map.Entry<Long, Segment> e = segments.ceilingEntry(cursorBase);
            if (e == null) {
                break;
            }
            Segment seg = e.getValue();
            if (seg.baseId != cursorBase) {
                cursorBase = seg.baseId;
                cursorOffset = RecordFormat.SEGMENT_HEADER;
            }
            Segment.Read r;
            try {
                r = seg.read(cursorOffset, cursorLastId);
            } catch (IOException ex) {
                if (seg == active) {
                    throw ex;
                }
                log.error("cannot read spool segment {} at offset {}: {}; skipping the rest of it", seg.path,
                        cursorOffset, ex.toString());
                skipRest(seg);
                continue;
            }
            if (r == Segment.Read.END) {
                Long nextBase = segments.higherKey(seg.baseId);
                if (nextBase == null) {
                    break;
                }
                // ids run on without gaps across segments: a segment that ends early lost its last records
                long missing = nextBase - 1 - Math.max(cursorLastId, acked);
                if (missing > 0) {
                    countCorrupt(seg, cursorOffset, seg.size, missing);
                    cursorLastId = nextBase - 1;
                }
                cursorBase = nextBase;
                cursorOffset = RecordFormat.SEGMENT_HEADER;
                continue;
            }
            if (r.bad()) {
                resync(seg);
                continue;
            }
            SpoolRecord rec = r.record();
            cursorOffset = rec.endOffset();
            cursorLastId = rec.id();
            if (rec.id() <= acked) {
                continue;
            }
            out.add(rec);
            outBytes += RecordFormat.frameLength(rec.event());
        }
        return out;
    }

    private void resync(Segment seg) {
        long from = cursorOffset;
        long found;
        try {
            found = seg.findNext(from + 1, cursorLastId);
        } catch (IOException e) {
            found = -1;
        }
        if (found >= 0) {
            long nextValidId;
            try {
                Segment.Read r = seg.read(found, cursorLastId);
                nextValidId = r.record() != null ? r.record().id() : cursorLastId + 1;
            } catch (IOException e) {
                nextValidId = cursorLastId + 1;
            }
            countCorrupt(seg, from, found, Math.max(0, nextValidId - Math.max(cursorLastId, acked) - 1));
            cursorOffset = found;
        } else {
            skipRest(seg);
        }
    }

    private void skipRest(Segment seg) {
        Long nextBase = segments.higherKey(seg.baseId);
        long lost = nextBase != null ? Math.max(0, nextBase - Math.max(cursorLastId, acked) - 1) : 1;
        countCorrupt(seg, cursorOffset, seg.size, lost);
        if (nextBase != null) {
            cursorLastId = Math.max(cursorLastId, nextBase - 1);
            cursorBase = nextBase;
            cursorOffset = RecordFormat.SEGMENT_HEADER;
        } else {
            cursorOffset = seg.size;
        }
    }

    private void countCorrupt(Segment seg, long from, long to, long records) {
        // a region is counted once: a later pass (after a rewind) reaches it again; an empty region (ids lost at a
        // segment's end) counts once at its offset too
        boolean beyond = seg.baseId > countedBase || (seg.baseId == countedBase
                && (from > countedOffset || (from == countedOffset && to > from)));
        if (!beyond) {
            return;
        }
        countedBase = seg.baseId;
        countedOffset = to;
        metrics.corruptRecords.add(records);
        metrics.corruptBytes.add(Math.max(0, to - from));
        log.warn("spool segment {}: skipped {} corrupt byte(s) at offset {} ({} event(s) lost)", seg.path, to - from,
                from, records);
    }

    /** True when the send cursor has not reached the end of the spool. */
    public synchronized boolean hasUnsent() {
        Map.Entry<Long, Segment> last = segments.lastEntry();
        if (last == null) {
            return false;
        }
        return cursorBase < last.getKey() || (cursorBase == last.getKey() && cursorOffset < last.getValue().size);
    }

    /**
     * Waits until a record is appended, {@link #wakeUp()} is called or the timeout passes, unless the cursor
     * has unsent records already. Callers re-check what they wait for.
     */
    public synchronized void awaitUnsent(Duration timeout) throws InterruptedException {
        if (!closed && !hasUnsent()) {
            wait(Math.max(1, timeout.toMillis()));
        }
    }

    /** Wakes threads waiting in {@link #awaitUnsent}. */
    public synchronized void wakeUp() {
        notifyAll();
    }

    /** Releases every record up to and including {@code record}: Kafka has acknowledged them. */
    public synchronized void ack(SpoolRecord record) {
        if (closed || record.id() <= acked) {
            return;
        }
        acked = record.id();
        if (droppedInFlight >= 0 && acked >= droppedInFlight) {
            droppedInFlight = -1; // delivered after all
        }
        if (segments.containsKey(record.segmentBase())) {
            headBase = record.segmentBase();
            headOffset = record.endOffset();
        }
        deleteAckedSegments();
        if (settings.fsync() == FsyncPolicy.ALWAYS) {
            writeAckFile(true);
        }
        notifyAll();
    }

    private void deleteAckedSegments() {
        for (Segment s : List.copyOf(segments.values())) {
            if (s == active) {
                break;
            }
            Long nextBase = segments.higherKey(s.baseId);
            long last = nextBase != null ? nextBase - 1 : s.lastId;
            if (last >= s.baseId && last <= acked) {
                deleteSegment(s);
            } else {
                break;
            }
        }
    }

    /** Moves the send cursor back to the first record not yet acknowledged. */
    public synchronized void rewind() {
        countDroppedInFlight();
        if (headBase >= 0 && segments.containsKey(headBase)) {
            cursorBase = headBase;
            cursorOffset = headOffset;
            cursorLastId = acked;
            return;
        }
        Map.Entry<Long, Segment> first = segments.firstEntry();
        cursorBase = first != null ? first.getKey() : nextId;
        cursorOffset = RecordFormat.SEGMENT_HEADER;
        cursorLastId = cursorBase - 1;
    }

    /** Records the budget dropped while they were being sent, and that Kafka did not acknowledge, are lost. */
    private void countDroppedInFlight() {
        if (droppedInFlight > acked) {
            metrics.dropped.add(droppedInFlight - acked, "budget");
            log.warn("{} event(s) dropped by the spool's budget while being sent were not acknowledged (ids {}..{})",
                    droppedInFlight - acked, acked + 1, droppedInFlight);
        }
        droppedInFlight = -1;
    }

    /** The highest acknowledged record id. */
    public synchronized long acked() {
        return acked;
    }

    /** The first record id appended by this process; lower ids were spooled by an earlier run. */
    public long firstIdThisRun() {
        return firstIdThisRun;
    }

    // ---------------------------------------------------------------- housekeeping

    /**
     * Periodic work, run by the housekeeping thread: retries events held in memory, fsyncs under
     * {@link FsyncPolicy#INTERVAL} and rewrites the ack file.
     */
    public synchronized void maintain() {
        if (closed) {
            return;
        }
        if (!held.isEmpty()) {
            flushHeld();
        }
        long now = nanos.getAsLong();
        if (now - lastSyncNanos >= settings.fsyncInterval().toNanos()) {
            lastSyncNanos = now;
            if (settings.fsync() == FsyncPolicy.INTERVAL && dirty) {
                force();
            }
            if (acked != ackedWritten) {
                writeAckFile(settings.fsync() != FsyncPolicy.NEVER);
            }
        }
    }

    private void writeAckFile(boolean sync) {
        Path tmp = dir.resolve(ACK_FILE + ".tmp");
        ByteBuffer buf = ByteBuffer.allocate(ACK_LENGTH);
        buf.put(ACK_MAGIC).putLong(acked);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, ACK_LENGTH - 4);
        buf.putInt((int) crc.getValue()).flip();
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), FILE_ATTR)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (sync) {
                    ch.force(true);
                }
            }
            Files.move(tmp, dir.resolve(ACK_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            if (sync) {
                syncDir();
            }
            ackedWritten = acked;
        } catch (IOException e) {
            metrics.writeErrors.inc();
            log.warn("cannot update the spool's ack file: {}; after a restart some acknowledged events may be sent "
                    + "again", e.toString());
        }
    }

    public synchronized SpoolStatus status() {
        return new SpoolStatus(bytes, settings.maxBytes(), segments.size(), pendingOnDisk() + held.size(),
                held.size(), writeFailure, lastBudgetDropMillis);
    }

    private long pendingOnDisk() {
        Map.Entry<Long, Segment> first = segments.firstEntry();
        if (first == null) {
            return 0;
        }
        return Math.max(0, nextId - 1 - Math.max(acked, first.getKey() - 1));
    }

    public SpoolSettings settings() {
        return settings;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("spool is closed");
        }
    }

    /** Forces what was written, records acknowledgement progress and releases the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (!held.isEmpty()) {
            flushHeld();
        }
        if (dirty && settings.fsync() != FsyncPolicy.NEVER) {
            force();
        }
        if (acked != ackedWritten) {
            writeAckFile(settings.fsync() != FsyncPolicy.NEVER);
        }
        countDroppedInFlight();
        if (!held.isEmpty()) {
            metrics.dropped.add(held.size(), "memory");
            log.error("{} event(s) held in memory are lost: the disk refused writes until the end", held.size());
            held.clear();
        }
        abandon();
    }

    /** Releases files and the lock without writing anything, as a crash would. */
    synchronized void abandon() {
        closed = true;
        if (housekeeping != null) {
            housekeeping.shutdown();
        }
        for (Segment s : segments.values()) {
            s.close();
        }
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException e) {
            log.debug("releasing the spool lock", e);
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            log.debug("closing the spool lock file", e);
        }
        notifyAll();
    }
}
