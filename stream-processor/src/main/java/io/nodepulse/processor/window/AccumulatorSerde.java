package io.nodepulse.processor.window;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary form of a {@link RollupAccumulator} for the window stores, their changelogs and the 1-hour
 * repartition topic. Times are varint deltas from the slot's last event time; a statistic whose minimum,
 * maximum or sum follows from its last value and count stores only what it must. Family indexes refer to
 * {@link io.nodepulse.family.MetricFamilies#all()}, so a schema change that reorders families needs a new
 * {@link #VERSION}.
 */
public final class AccumulatorSerde implements Serde<RollupAccumulator>, Serializer<RollupAccumulator>,
        Deserializer<RollupAccumulator> {
    static final byte VERSION = 1;
    private static final int MIN_EQ_LAST = 1;
    private static final int MAX_EQ_LAST = 2;
    private static final int SUM_EQ_LAST_TIMES_COUNT = 4;
    private static final int TIME_EQ_SLOT = 8;
    private static final int COUNTER_PRESENT = 1;
    private static final int COUNTER_CONSTANT = 2;

    private final ThreadLocal<Out> buffers = ThreadLocal.withInitial(Out::new);

    @Override
    public byte[] serialize(String topic, RollupAccumulator acc) {
        if (acc == null) {
            return null;
        }
        Out out = buffers.get();
        out.reset();
        out.write(VERSION);
        Map<String, Integer> clusters = new HashMap<>();
        List<String> clusterList = new ArrayList<>();
        for (Slot s : acc.slots()) {
            if (clusters.putIfAbsent(s.cluster, clusterList.size()) == null) {
                clusterList.add(s.cluster);
            }
        }
        out.varint(clusterList.size());
        for (String c : clusterList) {
            out.string(c);
        }
        out.varint(acc.size());
        for (Slot s : acc.slots()) {
            out.varint(s.layout.index);
            out.varint(clusters.get(s.cluster));
            out.string(s.device);
            out.varint(s.samples);
            out.int64(s.lastEventTime);
            writeSlot(out, s);
        }
        return out.toByteArray();
    }

    private static void writeSlot(Out out, Slot s) {
        long base = s.lastEventTime;
        for (int i = 0; i < s.count.length; i++) {
            long n = s.count[i];
            out.varint(n);
            if (n == 0) {
                continue;
            }
            double last = s.last[i];
            int flags = 0;
            if (s.min[i] == last) {
                flags |= MIN_EQ_LAST;
            }
            if (s.max[i] == last) {
                flags |= MAX_EQ_LAST;
            }
            if (Double.compare(s.sum[i], last * n) == 0) {
                flags |= SUM_EQ_LAST_TIMES_COUNT;
            }
            if (s.lastTime[i] == base) {
                flags |= TIME_EQ_SLOT;
            }
            out.write(flags);
            out.float64(last);
            if ((flags & TIME_EQ_SLOT) == 0) {
                out.varint(base - s.lastTime[i]);
            }
            if ((flags & MIN_EQ_LAST) == 0) {
                out.float64(s.min[i]);
            }
            if ((flags & MAX_EQ_LAST) == 0) {
                out.float64(s.max[i]);
            }
            if ((flags & SUM_EQ_LAST_TIMES_COUNT) == 0) {
                out.float64(s.sum[i]);
            }
        }
        for (int i = 0; i < s.counterFirst.length; i++) {
            if (s.counterFirstTime[i] == Slot.ABSENT) {
                out.write(0);
                continue;
            }
            boolean constant = s.counterFirst[i] == s.counterLast[i]
                    && s.counterFirstTime[i] == s.counterLastTime[i];
            out.write(COUNTER_PRESENT | (constant ? COUNTER_CONSTANT : 0));
            out.float64(s.counterLast[i]);
            out.varint(base - s.counterLastTime[i]);
            if (!constant) {
                out.float64(s.counterFirst[i]);
                out.varint(base - s.counterFirstTime[i]);
            }
        }
        for (int i = 0; i < s.attribute.length; i++) {
            if (s.attribute[i] == null) {
                out.write(0);
                continue;
            }
            out.write(1);
            out.string(s.attribute[i]);
            out.varint(base - s.attributeTime[i]);
        }
    }

    @Override
    public RollupAccumulator deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            In in = new In(data);
            int version = in.read();
            if (version != VERSION) {
                throw new SerializationException("rollup accumulator version " + version + " is not " + VERSION
                        + "; the state store was written by another build: reset the application's state");
            }
            int nClusters = (int) in.varint();
            String[] clusters = new String[nClusters];
            for (int i = 0; i < nClusters; i++) {
                clusters[i] = in.string();
            }
            RollupAccumulator acc = new RollupAccumulator();
            int nSlots = (int) in.varint();
            for (int k = 0; k < nSlots; k++) {
                FamilyLayout layout = FamilyLayout.of((int) in.varint());
                String cluster = clusters[(int) in.varint()];
                Slot s = new Slot(layout, cluster, in.string());
                s.samples = (int) in.varint();
                s.lastEventTime = in.int64();
                readSlot(in, s);
                acc.put(s);
            }
            return acc;
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            throw new SerializationException("corrupt rollup accumulator of " + data.length + " bytes", e);
        }
    }

    private static void readSlot(In in, Slot s) {
        long base = s.lastEventTime;
        for (int i = 0; i < s.count.length; i++) {
            long n = in.varint();
            s.count[i] = n;
            if (n == 0) {
                continue;
            }
            int flags = in.read();
            double last = in.float64();
            s.last[i] = last;
            s.lastTime[i] = (flags & TIME_EQ_SLOT) != 0 ? base : base - in.varint();
            s.min[i] = (flags & MIN_EQ_LAST) != 0 ? last : in.float64();
            s.max[i] = (flags & MAX_EQ_LAST) != 0 ? last : in.float64();
            s.sum[i] = (flags & SUM_EQ_LAST_TIMES_COUNT) != 0 ? last * n : in.float64();
        }
        for (int i = 0; i < s.counterFirst.length; i++) {
            int flags = in.read();
            if (flags == 0) {
                continue;
            }
            s.counterLast[i] = in.float64();
            s.counterLastTime[i] = base - in.varint();
            if ((flags & COUNTER_CONSTANT) != 0) {
                s.counterFirst[i] = s.counterLast[i];
                s.counterFirstTime[i] = s.counterLastTime[i];
            } else {
                s.counterFirst[i] = in.float64();
                s.counterFirstTime[i] = base - in.varint();
            }
        }
        for (int i = 0; i < s.attribute.length; i++) {
            if (in.read() == 0) {
                continue;
            }
            s.attribute[i] = in.string();
            s.attributeTime[i] = base - in.varint();
        }
    }

    @Override
    public Serializer<RollupAccumulator> serializer() {
        return this;
    }

    @Override
    public Deserializer<RollupAccumulator> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }

    /** A growable output buffer with varints and fixed-width numbers. */
    static final class Out {
        private byte[] buf = new byte[8192];
        private int pos;

        void reset() {
            pos = 0;
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void write(int b) {
            ensure(1);
            buf[pos++] = (byte) b;
        }

        void varint(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative varint " + v);
            }
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void int64(long v) {
            ensure(8);
            for (int i = 7; i >= 0; i--) {
                buf[pos++] = (byte) (v >>> (i * 8));
            }
        }

        void float64(double d) {
            int64(Double.doubleToRawLongBits(d));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    /** Reads what {@link Out} wrote. */
    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int read() {
            return buf[pos++] & 0xFF;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        long int64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFFL);
            }
            return v;
        }

        double float64() {
            return Double.longBitsToDouble(int64());
        }

        String string() {
            int n = (int) varint();
            if (n < 0 || pos + n > buf.length) {
                throw new IllegalArgumentException("string length " + n + " beyond the end");
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
