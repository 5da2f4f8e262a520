package io.nodepulse.processor.bench;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.processor.BoundedRocksDb;
import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.processor.PipelineStreams;
import io.nodepulse.processor.PipelineTopology;
import io.nodepulse.processor.alert.AlertRules;
import io.nodepulse.schema.Disk;
import io.nodepulse.schema.Filesystem;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.schema.Pod;
import io.nodepulse.schema.SampleMetrics;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Events/s through validation, deduplication and rollups (the real topology, exactly_once_v2, the local
 * broker) against a plain consumer that only deserializes the same topic, in one run. Needs the local stack:
 * {@code eval "$(deploy/local/stack.sh env)"}. Arguments: {@code [nodes] [intervals] [partitions]}; the
 * processor's defaults are used (RocksDB cache 256 MiB, write buffers 128 MiB, 2 MiB memtables, commit 100 ms),
 * {@code -Dbench.rocksdb=default} runs without the bounded-memory setter, {@code -Dbench.rocksdb.*} and
 * {@code -Dbench.commit.ms} vary them.
 */
public final class StreamsThroughputBenchmark {
    private StreamsThroughputBenchmark() {
    }

    /** The default event shape: 30 pods, 4 disks, 3 filesystems, 2 interfaces. */
    static NodeMetrics event(String node, long seq, Instant t) {
        NodeMetrics e = SampleMetrics.event("bench", node, "boot-" + node, "run-" + node, seq, t);
        List<Disk> disks = new ArrayList<>(e.getDisks());
        for (String d : List.of("sdb", "nvme1n1")) {
            disks.add(Disk.newBuilder(e.getDisks().get(0)).setDevice(d).build());
        }
        e.setDisks(disks);
        List<Filesystem> fs = new ArrayList<>(e.getFilesystems());
        fs.add(Filesystem.newBuilder(e.getFilesystems().get(0)).setMountPoint("/var/lib/containerd").build());
        e.setFilesystems(fs);
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Pod template = e.getPods().get(i % 3);
            pods.add(Pod.newBuilder(template).setUid(String.format("%08d-%s", i, node)).setName("app-" + i).build());
        }
        e.setPods(pods);
        return e;
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int intervals = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        String bootstrap = System.getenv("NODEPULSE_KAFKA_BOOTSTRAP");
        if (bootstrap == null) {
            throw new IllegalStateException("NODEPULSE_KAFKA_BOOTSTRAP is unset: eval \"$(deploy/local/stack.sh env)\"");
        }
        String prefix = "bench." + System.currentTimeMillis() + ".";
        WireSerdes serdes = WireSerdes.offline();
        Topics topics = new Topics(prefix, serdes);
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        long total = (long) nodes * intervals;
        try (Admin admin = Admin.create(client)) {
            TopicAdmin.createMissing(admin, topics, partitions, (short) 1, Duration.ofSeconds(30));
            long bytes = produce(client, topics, serdes, nodes, intervals);
            System.out.printf("input: %d events (%d nodes x %d intervals), %d partitions, %.0f bytes/event%n",
                    total, nodes, intervals, partitions, (double) bytes / total);

            double ceiling = plainConsumer(client, topics, serdes, total);
            System.out.printf("plain consumer (deserialize only): %.0f events/s%n", ceiling);
            double pipeline = streams(admin, client, topics, serdes, total);
            System.out.printf("topology (validate, dedup, 1m/1h rollups, liveness, alerts; exactly_once_v2): "
                    + "%.0f events/s%n", pipeline);
            System.out.printf("ratio topology/plain consumer: %.2f%n", pipeline / ceiling);
            // the pipeline's topics and the application's internal ones (changelogs, repartition)
            admin.deleteTopics(admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix))
                    .toList()).all().get();
        }
        serdes.close();
    }

    private static long produce(Map<String, Object> client, Topics topics, WireSerdes serdes, int nodes,
                                int intervals) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        Instant base = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.HOURS);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(c, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < intervals; i++) {
                for (int n = 0; n < nodes; n++) {
                    String node = "node-" + n;
                    byte[] v = serdes.nodeMetrics().serialize("t", event(node, i + 1, base.plusSeconds(10L * i)));
                    bytes += v.length;
                    p.send(new ProducerRecord<>(topics.metrics().name(), node.getBytes(StandardCharsets.UTF_8), v));
                }
            }
            p.flush();
        }
        return bytes;
    }

    private static double plainConsumer(Map<String, Object> client, Topics topics, WireSerdes serdes, long total) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-plain-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.metrics().name()));
            long n = 0;
            long checksum = 0;
            long start = 0;
            while (n < total) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (start == 0) {
                        start = System.nanoTime();
                    }
                    checksum += serdes.nodeMetrics().deserialize("t", r.value()).getSeq();
                    n++;
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("plain consumer: %d events in %.1f s (checksum %d)%n", n, secs, checksum);
            return n / secs;
        }
    }

    private static double streams(Admin admin, Map<String, Object> client, Topics topics, WireSerdes serdes,
                                  long total) throws Exception {
        Path state = Files.createTempDirectory("np-bench-state");
        String appId = topics.prefix() + "processor";
        Properties p = new Properties();
        p.putAll(client);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        if (!"default".equals(System.getProperty("bench.rocksdb"))) {
            p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
            p.put(BoundedRocksDb.CACHE_BYTES, Long.getLong("bench.rocksdb.cache", 256L << 20));
            p.put(BoundedRocksDb.WRITE_BUFFER_BYTES, Long.getLong("bench.rocksdb.write.buffers", 128L << 20));
            p.put(BoundedRocksDb.MEMTABLE_BYTES, Long.getLong("bench.rocksdb.memtable", 2L << 20));
            p.put(BoundedRocksDb.MAX_MEMTABLES, Long.getLong("bench.rocksdb.memtables", 2L));
        }
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, System.getProperty("bench.compression", "lz4"));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.getLong("bench.commit.ms", 100L));
        p.putAll(PipelineTopology.requiredStreamsConfig());
        PipelineStreams streams = new PipelineStreams(p, PipelineTopology.Settings.defaults(), topics, serdes,
                AlertRules.bundled(), new PipelineMetrics(new MetricRegistry()));
        streams.start();
        long end = endOffset(admin, topics.metrics().name());
        long startNanos = 0;
        long startDone = 0;
        long done = 0;
        long validEnd = -1;
        long rolledUp = 0;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
        // done when ingest has committed every input and the rollup application all that ingest wrote
        while ((done < end || rolledUp < validEnd || validEnd < 0) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            done = committed(admin, appId, topics.metrics().name());
            if (startNanos == 0 && done > 0) {
                startNanos = System.nanoTime();
                startDone = done;
            }
            if (done >= end) {
                validEnd = validEnd < 0 ? endOffset(admin, topics.metricsValid().name()) : validEnd;
                rolledUp = committed(admin, PipelineStreams.applicationId(appId, PipelineStreams.ROLLUP),
                        topics.metricsValid().name());
            }
        }
        double secs = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("topology: %d of %d events committed by ingest and rolled up; measured %d events in "
                + "%.1f s after the first commit%n", done, end, done - startDone, secs);
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
        return (done - startDone) / secs;
    }

    /** Sum of the end offsets of a topic's partitions. */
    private static long endOffset(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(i -> latest.put(new TopicPartition(topic, i.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
    }

    /** Sum of a group's committed offsets on a topic. */
    private static long committed(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }
}
