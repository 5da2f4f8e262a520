package io.nodepulse.processor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;

/** Records a test driver wrote to one topic, read like a TestOutputTopic: each read removes what it returns. */
public final class Captured<K, V> {
    private final Deque<TestRecord<K, V>> records = new ArrayDeque<>();

    void add(TestRecord<K, V> r) {
        records.add(r);
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    public TestRecord<K, V> readRecord() {
        TestRecord<K, V> r = records.poll();
        if (r == null) {
            throw new NoSuchElementException("no record");
        }
        return r;
    }

    public List<TestRecord<K, V>> readRecordsToList() {
        List<TestRecord<K, V>> out = new ArrayList<>(records);
        records.clear();
        return out;
    }

    public List<V> readValuesToList() {
        return readRecordsToList().stream().map(TestRecord::value).toList();
    }

    public List<KeyValue<K, V>> readKeyValuesToList() {
        return readRecordsToList().stream().map(r -> KeyValue.pair(r.key(), r.value())).toList();
    }
}
