package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodepulse.processor.PipelineStreams;
import io.nodepulse.processor.ProcessorConfig;
import io.nodepulse.processor.sink.Lane;
import io.nodepulse.testkit.Stack;
import io.nodepulse.testkit.WithStack;
import io.nodepulse.topic.Topic;
import io.nodepulse.topic.TopicAdmin;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both topic set-ups, the Job's script for plain Kafka and the Strimzi resources, create exactly the topics of
 * io.nodepulse.topic.Topics with TopicAdmin's partition rule and each topic's configs; the script does so on
 * the real broker; the Strimzi principals get the least their applications need.
 */
@WithStack
class TopicsIT {
    static final Path SCRIPT = Repo.k8s().resolve("components/topics-job/create-topics.sh");
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX, WireSerdes.offline());

    /** A topic as a set-up declares it: partitions ("data" or a number) and configs. */
    record Declared(String partitions, Map<String, String> configs) {
    }

    /** `topic NAME PARTITIONS CONFIG...` lines of the script, by full name under the default prefix. */
    static Map<String, Declared> scriptTopics() throws IOException {
        Map<String, Declared> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(SCRIPT)) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 3 || !f[0].equals("topic")) {
                continue;
            }
            Map<String, String> configs = new TreeMap<>();
            for (int i = 3; i < f.length; i++) {
                String[] kv = f[i].split("=", 2);
                configs.put(kv[0], kv[1]);
            }
            out.put(Topics.DEFAULT_PREFIX + f[1], new Declared(f[2], configs));
        }
        return out;
    }

    /** What Topics and TopicAdmin say, in the same form ("data" = the configured data partitions). */
    static Map<String, Declared> expected() {
        Map<String, Declared> out = new LinkedHashMap<>();
        for (Topic<?, ?> t : TOPICS.all()) {
            int sentinel = 7919;
            int p = TopicAdmin.partitionsFor(TOPICS, t, sentinel);
            out.put(t.name(), new Declared(p == sentinel ? "data" : Integer.toString(p),
                    new TreeMap<>(t.allConfigs())));
        }
        return out;
    }

    @Test
    void scriptDeclaresExactlyTheTopicsOfTopics() throws IOException {
        assertThat(scriptTopics()).isEqualTo(expected());
    }

    @Test
    void strimziTopicsAreExactlyTheTopicsOfTopicsWithThreeReplicas() {
        Manifests m = Manifests.of("production");
        Map<String, Declared> declared = new LinkedHashMap<>();
        Set<Integer> dataPartitions = new TreeSet<>();
        Map<String, Declared> want = expected();
        for (JsonNode kt : m.custom("KafkaTopic")) {
            JsonNode spec = kt.path("spec");
            String name = spec.path("topicName").asText();
            Map<String, String> configs = new TreeMap<>();
            spec.path("config").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
            assertThat(configs.remove("min.insync.replicas")).as(name).isEqualTo("2");
            assertThat(spec.path("replicas").asInt()).as(name).isEqualTo(3);
            int p = spec.path("partitions").asInt();
            boolean data = want.containsKey(name) && want.get(name).partitions().equals("data");
            if (data) {
                dataPartitions.add(p);
            }
            declared.put(name, new Declared(data ? "data" : Integer.toString(p), configs));
        }
        assertThat(declared).isEqualTo(want);
        assertThat(dataPartitions).as("one partition count for all data topics").hasSize(1);
    }

    @Test
    void agentPrincipalMayOnlyWriteAndDescribeItsTopics() {
        JsonNode agent = user("nodepulse-agent");
        assertThat(StrimziSchema.acls(agent)).isEqualTo(Map.of(
                "topic:literal:" + TOPICS.metrics().name(), Set.of("Describe", "Write"),
                "topic:literal:" + TOPICS.schemas().name(), Set.of("Describe", "Write")));
    }

    @Test
    void processorPrincipalHasWhatStreamsAndTheSinkNeed() {
        ProcessorConfig defaults = ProcessorConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "NODEPULSE_JDBC_URL", "jdbc:postgresql://db:5432/nodepulse", "NODEPULSE_DB_WRITER_PASSWORD", "w",
                "NODEPULSE_DB_OWNER_PASSWORD", "o"));
        Map<String, Set<String>> acls = StrimziSchema.acls(user("nodepulse-processor"));
        String app = defaults.applicationId();
        assertThat(acls.get("topic:prefix:" + app + "-")).containsExactly("All");
        assertThat(acls.get("transactionalId:prefix:" + app + "-")).contains("Write", "Describe");
        assertThat(acls.get("group:literal:" + app)).contains("Read");
        assertThat(acls.get("group:literal:" + PipelineStreams.applicationId(app, PipelineStreams.ROLLUP)))
                .contains("Read");
        for (Lane lane : Lane.values()) {
            assertThat(acls.get("group:literal:" + lane.groupId(defaults.sink().groupId()))).as(lane.label())
                    .contains("Read");
        }
        assertThat(acls.get("topic:literal:" + TOPICS.metrics().name())).containsExactlyInAnyOrder("Read",
                "Describe");
        for (Topic<?, ?> t : List.of(TOPICS.metricsValid(), TOPICS.late(), TOPICS.rollup1m(), TOPICS.rollup1h(),
                TOPICS.nodeStatus(), TOPICS.alerts(), TOPICS.schemas())) {
            assertThat(acls.get("topic:literal:" + t.name())).as(t.name())
                    .containsExactlyInAnyOrder("Read", "Write", "Describe");
        }
        assertThat(acls.get("topic:literal:" + TOPICS.dlq().name())).containsExactlyInAnyOrder("Write", "Describe");
        Set<String> covered = acls.keySet().stream().filter(k -> k.startsWith("topic:literal:"))
                .map(k -> k.substring("topic:literal:".length())).collect(Collectors.toSet());
        assertThat(covered).isEqualTo(TOPICS.all().stream().map(Topic::name).collect(Collectors.toSet()));
        assertThat(acls.keySet()).noneMatch(k -> k.startsWith("cluster:"));
    }

    @Test
    void scriptCreatesTheTopicsOnTheBrokerAndLeavesThemOnTheSecondRun(Stack stack, @TempDir Path bin)
            throws Exception {
        Path libs = Path.of(Repo.env("NODEPULSE_HOME"), "kafka", "libs");
        Path shim = bin.resolve("kafka-topics.sh");
        Files.writeString(shim, "#!/bin/bash\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1 -cp '" + libs + "/*' org.apache.kafka.tools.TopicCommand \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("TOPIC_PREFIX", stack.topicPrefix());
        env.put("PARTITIONS", "2");
        env.put("REPLICATION_FACTOR", "1");
        env.put("MIN_INSYNC_REPLICAS", "1");
        env.put("KAFKA_BIN", bin.toString());

        String first = run(env);
        Topics topics = new Topics(stack.topicPrefix(), WireSerdes.offline());
        assertThat(first).contains(topics.all().stream().map(t -> "created: " + t.name()).toList());

        try (Admin admin = Admin.create(stack.kafkaConfig())) {
            List<String> names = topics.all().stream().map(Topic::name).toList();
            Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
            List<ConfigResource> resources = new ArrayList<>();
            names.forEach(n -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, n)));
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (Topic<?, ?> t : topics.all()) {
                TopicDescription d = desc.get(t.name());
                assertThat(d.partitions()).as(t.name()).hasSize(TopicAdmin.partitionsFor(topics, t, 2));
                assertThat(d.partitions().get(0).replicas()).hasSize(1);
                Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
                Map<String, String> want = new TreeMap<>(t.allConfigs());
                want.put("min.insync.replicas", "1");
                want.forEach((k, v) -> assertThat(c.get(k).value()).as("%s %s", t.name(), k).isEqualTo(v));
            }
        }

        String second = run(env);
        assertThat(second).doesNotContain("created:")
                .contains(topics.all().stream().map(t -> "exists:  " + t.name()).toList());
    }

    private static String run(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static JsonNode user(String name) {
        return Manifests.of("production").custom("KafkaUser").stream()
                .filter(u -> u.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no KafkaUser " + name));
    }
}
