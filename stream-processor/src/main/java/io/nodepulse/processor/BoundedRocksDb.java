package io.nodepulse.processor;

import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.apache.kafka.streams.state.RocksDBConfigSetter;

/**
 * Bounds the memory of every RocksDB store of the process: all stores share one LRU block cache (index and
 * filter blocks included) and one write-buffer manager that charges memtables to that cache (a budget of 0
 * turns the manager off). Without this each store (and each segment of a window store) gets its own cache and
 * memtables, and memory grows with the number of partitions and segments.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {
    /** Total bytes of the shared cache, memtables included. */
    public static final String CACHE_BYTES = "nodepulse.rocksdb.cache.bytes";
    /** Part of the cache memtables may use. */
    public static final String WRITE_BUFFER_BYTES = "nodepulse.rocksdb.write.buffer.bytes";
    private static final double HIGH_PRIORITY_RATIO = 0.1;
    /**
     * Size of one memtable (default 2 MiB). Small memtables matter with the write-buffer manager: it flushes a
     * store's memtable whenever the total is over budget, and with dozens of stores (window segments count
     * each) large memtables meant near-constant flushes and write stalls (see BENCHMARKS.md).
     */
    public static final String MEMTABLE_BYTES = "nodepulse.rocksdb.memtable.bytes";

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long configuredCache;
    private static long memtableBytes;
    private static int maxMemtables;
    /** Memtables per store before writes wait for a flush. */
    public static final String MAX_MEMTABLES = "nodepulse.rocksdb.max.memtables";

    private static synchronized void init(Map<String, Object> configs) {
        if (cache != null) {
            return;
        }
        configuredCache = number(configs.get(CACHE_BYTES), 256L << 20);
        long writeBuffers = number(configs.get(WRITE_BUFFER_BYTES), 128L << 20);
        memtableBytes = number(configs.get(MEMTABLE_BYTES), 2L << 20);
        cache = new LRUCache(configuredCache, -1, false, HIGH_PRIORITY_RATIO);
        writeBufferManager = writeBuffers > 0 ? new WriteBufferManager(writeBuffers, cache) : null;
        maxMemtables = (int) number(configs.get(MAX_MEMTABLES), 2);
    }

    private static long number(Object o, long fallback) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        return o == null ? fallback : Long.parseLong(o.toString());
    }

    /** Bytes of the shared cache, for the metrics; 0 before the first store opened. */
    public static synchronized long cacheCapacity() {
        return cache == null ? 0 : configuredCache;
    }

    /** Bytes in use in the shared cache, memtables included; 0 before the first store opened. */
    public static synchronized long cacheUsage() {
        return cache == null ? 0 : cache.getUsage();
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        init(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        if (writeBufferManager != null) {
            options.setWriteBufferManager(writeBufferManager);
        }
        options.setWriteBufferSize(memtableBytes);
        options.setMaxWriteBufferNumber(maxMemtables);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write-buffer manager are shared by every store and live as long as the process
    }
}
