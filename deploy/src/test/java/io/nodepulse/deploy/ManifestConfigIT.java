package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.nodepulse.agent.AgentConfig;
import io.nodepulse.agent.transport.ProducerProperties;
import io.nodepulse.config.ConfigException;
import io.nodepulse.processor.ProcessorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variable the manifests give the agent and the processor is one of their settings, and the settings
 * they require are all there: each application's own configuration class reads the container's environment
 * (Secret files replaced by local files) and must accept it. Once the configuration classes reject unknown
 * NODEPULSE_* variables themselves (ConfigReader.rejectUnknown), the same call also fails on a misspelt name;
 * until then, and in any case, the names are compared with the setting names compiled into the applications.
 */
class ManifestConfigIT {
    /** What kubelet always injects, even with enableServiceLinks: false. */
    static final Map<String, String> KUBELET = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
            "KUBERNETES_SERVICE_PORT", "443", "HOSTNAME", "pod-0");

    @TempDir
    Path secrets;

    static List<String> overlays() {
        return Manifests.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentAcceptsItsManifestEnvironment(String overlay) throws IOException {
        PodTemplateSpec t = Manifests.of(overlay).agent().getSpec().getTemplate();
        Map<String, String> env = environment(Manifests.container(t, "agent"));
        AgentConfig config = AgentConfig.fromEnv(env, AgentConfig.Mode.RUN);

        assertThat(config.node()).isEqualTo("node-a");
        assertThat(config.nodeSource()).isEqualTo(AgentConfig.NODE_NAME);
        // The producer the agent would build accepts every KAFKA_* value (types, enums).
        new ProducerConfig(ProducerProperties.effective(config.producer(), "check"));
        assertNamesAreSettings(env, ConfigNames.of(AgentConfig.class), "agent");
        assertThat(env.keySet()).as("the agent ignores NODEPULSE_*_FILE").noneMatch(
                n -> n.startsWith("NODEPULSE_") && n.endsWith("_FILE"));

        long jvm = jvmBytes("agent", "-Xmx") + jvmBytes("agent", "-XX:MaxMetaspaceSize=")
                + jvmBytes("agent", "-XX:ReservedCodeCacheSize=") + jvmBytes("agent", "-XX:MaxDirectMemorySize=");
        long limit = Pods.amount(Manifests.container(t, "agent").getResources().getLimits().get("memory"))
                .longValue();
        assertThat(limit).as("agent memory limit: the JVM's capped areas of agent/jvm.options + 32MiB")
                .isGreaterThanOrEqualTo(jvm + (32L << 20));

        // The check has teeth: without the required settings the same environment is refused.
        for (String required : List.of("NODE_NAME", "KAFKA_BOOTSTRAP_SERVERS")) {
            Map<String, String> less = new HashMap<>(env);
            less.remove(required);
            assertThatThrownBy(() -> AgentConfig.fromEnv(less, AgentConfig.Mode.RUN))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(required);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void processorAcceptsItsManifestEnvironment(String overlay) throws IOException {
        Manifests m = Manifests.of(overlay);
        PodTemplateSpec t = m.processor().getSpec().getTemplate();
        Map<String, String> env = environment(Manifests.container(t, "processor"));
        ProcessorConfig config = ProcessorConfig.fromEnv(env);

        assertThat(config.sink()).as("the sink runs in the deployed processor").isNotNull();
        assertThat(config.sink().writer().password()).isEqualTo("secret-from-" + "writer-password");
        assertThat(config.standbyReplicas()).isEqualTo(
                Integer.parseInt(Pods.envValues(Manifests.container(t, "processor"))
                        .getOrDefault("NODEPULSE_STANDBY_REPLICAS", "0")));
        new StreamsConfig(config.streamsProperties());
        assertNamesAreSettings(env, ConfigNames.of(ProcessorConfig.class), "processor");
        long heap = jvmBytes("stream-processor", "-Xmx");
        assertThat(heap).as("-Xmx in stream-processor/jvm.options").isPositive();
        long limit = Pods.amount(Manifests.container(t, "processor").getResources().getLimits().get("memory"))
                .longValue();
        assertThat(limit).as("processor memory limit: heap + RocksDB cache + 256MiB for metaspace, threads, "
                + "native buffers").isGreaterThanOrEqualTo(heap + config.rocksDbCacheBytes() + (256L << 20));
        assertThat(t.getSpec().getTerminationGracePeriodSeconds())
                .as("terminationGracePeriodSeconds above the processor's shutdown timeout")
                .isGreaterThan(config.shutdownTimeout().toSeconds());

        for (String required : List.of("KAFKA_BOOTSTRAP_SERVERS", "NODEPULSE_JDBC_URL",
                "NODEPULSE_DB_WRITER_PASSWORD")) {
            Map<String, String> less = new HashMap<>(env);
            less.remove(required);
            less.remove(required + "_FILE");
            assertThatThrownBy(() -> ProcessorConfig.fromEnv(less))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(required);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void topicJobSetsOnlyWhatItsScriptReads(String overlay) throws IOException {
        String script = Files.readString(Repo.k8s().resolve("components/topics-job/create-topics.sh"));
        for (Job job : Manifests.of(overlay).all(Job.class)) {
            for (EnvVar e : job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                String n = e.getName();
                boolean read = script.contains("${" + n) || script.contains("$" + n + " ")
                        || n.matches("KAFKA_(SECURITY_PROTOCOL|SASL_.*|SSL_.*)")
                        || Set.of("LOG_DIR", "TMPDIR", "KAFKA_HEAP_OPTS").contains(n);
                assertThat(read).as("%s: the Job's %s is read by create-topics.sh or the Kafka scripts",
                        overlay, n).isTrue();
            }
        }
    }

    private static void assertNamesAreSettings(Map<String, String> env, Set<String> settings, String app) {
        assertThat(settings).as("setting names found in the %s's classes", app).isNotEmpty();
        for (String name : env.keySet()) {
            if (KUBELET.containsKey(name) || name.startsWith("KAFKA_")) {
                continue; // KAFKA_* names are checked by the configuration itself (unknown properties fail)
            }
            String setting = name.endsWith("_FILE") ? name.substring(0, name.length() - 5) : name;
            assertThat(settings).as("%s is a setting of the %s", name, app).contains(setting);
        }
    }

    /**
     * The container's environment as the application would see it; Secret files become local files (a
     * certificate for *_LOCATION).
     */
    private Map<String, String> environment(Container c) throws IOException {
        Map<String, String> env = new HashMap<>(KUBELET);
        for (EnvVar e : c.getEnv()) {
            String value = e.getValue();
            if (e.getValueFrom() != null) {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                value = switch (field) {
                    case "spec.nodeName" -> "node-a";
                    case "metadata.name" -> "pod-0";
                    case "metadata.namespace" -> "monitor";
                    default -> throw new AssertionError("unexpected fieldRef " + field);
                };
            } else if (e.getName().endsWith("_FILE")) {
                String file = value.substring(value.lastIndexOf('/') + 1);
                Path local = secrets.resolve(e.getName() + "-" + file);
                Files.writeString(local, fakeSecret(e.getName(), file));
                value = local.toString();
            } else if (e.getName().endsWith("_LOCATION")) {
                // a CA certificate from a mounted Secret: the agent loads its trust store at start, so a real one
                Path local = secrets.resolve(e.getName() + "-" + value.substring(value.lastIndexOf('/') + 1));
                try (InputStream ca = ManifestConfigIT.class.getResourceAsStream("test-ca.crt")) {
                    Files.copy(ca, local);
                }
                value = local.toString();
            }
            env.put(e.getName(), value);
        }
        return env;
    }

    private static String fakeSecret(String name, String file) {
        if (name.startsWith("KAFKA_SASL_JAAS_CONFIG")) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";\n";
        }
        return "secret-from-" + file + "\n";
    }

    /** A size flag of a module's jvm.options (e.g. -Xmx64m), in bytes; 0 when absent. */
    static long jvmBytes(String module, String flag) throws IOException {
        String options = Files.readString(Repo.root().resolve(module + "/jvm.options"));
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(flag) + "(\\d+)([kKmMgG]?)$").matcher(options);
        if (!m.find()) {
            return 0;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }
}
