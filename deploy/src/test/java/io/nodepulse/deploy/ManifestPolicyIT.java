package io.nodepulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.nodepulse.agent.AgentConfig;
import io.nodepulse.agent.collect.CollectSettings;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every overlay with kustomize and checks the hardening rules of the brief on the result: what a
 * reviewer would check by eye, on every object, in every overlay.
 */
class ManifestPolicyIT {
    /** The seed's DaemonSet resources: the agent must stay within them. */
    static final Map<String, Quantity> SEED_REQUESTS = Map.of("cpu", new Quantity("100m"), "memory",
            new Quantity("200Mi"));
    static final Map<String, Quantity> SEED_LIMITS = Map.of("cpu", new Quantity("200m"), "memory",
            new Quantity("400Mi"));
    static final String SPOOL_OWNER = "spool-owner";

    static List<String> overlays() {
        return Manifests.overlays();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void namespaceEnforcesPrivilegedAndWarnsAtRestricted(String overlay) {
        Manifests m = Manifests.of(overlay);
        Namespace ns = m.one(Namespace.class, "monitor");
        assertThat(ns.getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "privileged")
                .containsEntry("pod-security.kubernetes.io/warn", "restricted")
                .containsEntry("pod-security.kubernetes.io/audit", "restricted");
        for (HasMetadata o : m.objects) {
            if (!(o instanceof Namespace)) {
                assertThat(o.getMetadata().getNamespace()).as("%s %s", o.getKind(), o.getMetadata().getName())
                        .isEqualTo("monitor");
            }
        }
        for (var c : m.custom) {
            assertThat(c.path("metadata").path("namespace").asText()).isEqualTo("monitor");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentRunsOnEveryLinuxNodeAndRollsSlowly(String overlay) {
        DaemonSet ds = Manifests.of(overlay).agent();
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal())
                .isEqualTo("10%");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        for (String[] taint : new String[][] {
                {"node-role.kubernetes.io/control-plane", "", "NoSchedule"},
                {"node-role.kubernetes.io/master", "", "NoSchedule"},
                {"node.kubernetes.io/not-ready", "", "NoExecute"},
                {"node.kubernetes.io/unreachable", "", "NoExecute"},
                {"node.kubernetes.io/disk-pressure", "", "NoSchedule"},
                {"node.kubernetes.io/memory-pressure", "", "NoSchedule"},
                {"node.kubernetes.io/unschedulable", "", "NoSchedule"},
                {"dedicated", "gpu", "NoSchedule"}}) {
            assertThat(Pods.tolerates(pod.getTolerations(), taint[0], taint[1], taint[2]))
                    .as("tolerates %s=%s:%s", (Object[]) taint).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentReadsTheHostThroughReadOnlyMountsAtItsDefaultPrefixes(String overlay) {
        DaemonSet ds = Manifests.of(overlay).agent();
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container agent = Manifests.container(ds.getSpec().getTemplate(), "agent");
        Map<String, String> env = Pods.envValues(agent);

        assertThat(pod.getHostNetwork()).as("hostNetwork (host interfaces come from <proc>/1/net/dev)")
                .isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).as("hostPID").isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).as("hostIPC").isNotEqualTo(Boolean.TRUE);

        EnvVar node = Pods.env(agent, AgentConfig.NODE_NAME).orElseThrow();
        assertThat(node.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");

        Map<String, String> hostPaths = Map.of(
                "/proc", env.getOrDefault(CollectSettings.HOST_PROC, CollectSettings.DEFAULT_PROC),
                "/sys", env.getOrDefault(CollectSettings.HOST_SYS, CollectSettings.DEFAULT_SYS),
                "/", env.getOrDefault(CollectSettings.HOST_ROOT, CollectSettings.DEFAULT_ROOT));
        assertThat(hostPaths.values()).containsExactlyInAnyOrder(CollectSettings.DEFAULT_PROC,
                CollectSettings.DEFAULT_SYS, CollectSettings.DEFAULT_ROOT);
        String spoolDir = env.getOrDefault(AgentConfig.SPOOL_DIR, "/var/lib/nodepulse/spool");

        Set<String> seen = new HashSet<>();
        for (VolumeMount vm : agent.getVolumeMounts()) {
            Volume v = Pods.volume(pod, vm.getName());
            if (v.getHostPath() == null) {
                continue;
            }
            String host = v.getHostPath().getPath();
            if (host.equals("/proc") || host.equals("/sys") || host.equals("/")) {
                seen.add(host);
                assertThat(vm.getMountPath()).as("mount of host %s", host).isEqualTo(hostPaths.get(host));
                assertThat(vm.getReadOnly()).as("host %s read-only", host).isTrue();
                if (host.equals("/")) {
                    // Filesystems mounted later must appear under the prefix (see the manifest's comment).
                    assertThat(vm.getMountPropagation()).isEqualTo("HostToContainer");
                    assertThat(vm.getRecursiveReadOnly()).isIn(null, "Disabled");
                } else {
                    assertThat(vm.getRecursiveReadOnly()).isIn("IfPossible", "Enabled");
                    assertThat(vm.getMountPropagation()).isIn(null, "None");
                }
            } else {
                assertThat(host).as("the only writable host path is the spool").startsWith("/var/lib/");
                assertThat(vm.getMountPath()).isEqualTo(spoolDir);
                assertThat(v.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
                seen.add("spool");
            }
        }
        assertThat(seen).containsExactlyInAnyOrder("/proc", "/sys", "/", "spool");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyContainerIsLockedDownAndOnlyTheSpoolOwnerRunsAsRoot(String overlay) {
        Manifests m = Manifests.of(overlay);
        List<String> rootSteps = new ArrayList<>();
        m.podTemplates().forEach((owner, t) -> {
            PodSpec pod = t.getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).as("%s automountServiceAccountToken", owner).isFalse();
            assertThat(pod.getEnableServiceLinks()).as("%s enableServiceLinks", owner).isFalse();
            List<Container> all = new ArrayList<>(pod.getContainers());
            all.addAll(pod.getInitContainers());
            for (Container c : all) {
                String at = owner + " container " + c.getName();
                Pods.Effective s = Pods.effective(pod, c);
                assertThat(s.readOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", at).isTrue();
                assertThat(s.allowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", at).isFalse();
                assertThat(s.privileged()).as("%s privileged", at).isNotEqualTo(Boolean.TRUE);
                assertThat(s.seccomp()).as("%s seccomp", at).isEqualTo("RuntimeDefault");
                assertThat(s.capabilities().getDrop()).as("%s drops", at).containsExactly("ALL");
                assertThat(s.runAsUser()).as("%s numeric runAsUser", at).isNotNull();
                if (c.getName().equals(SPOOL_OWNER)) {
                    rootSteps.add(at);
                    assertThat(s.capabilities().getAdd()).as(at).containsExactlyInAnyOrder("CHOWN", "FOWNER");
                    assertThat(c.getVolumeMounts()).as("%s sees only the spool", at).hasSize(1);
                    Volume v = Pods.volume(pod, c.getVolumeMounts().get(0).getName());
                    assertThat(v.getHostPath().getPath()).startsWith("/var/lib/nodepulse/");
                } else {
                    assertThat(s.runAsNonRoot()).as("%s runAsNonRoot", at).isTrue();
                    assertThat(s.runAsUser()).as("%s runAsUser", at).isPositive();
                    assertThat(s.capabilities().getAdd()).as("%s adds no capability", at).isEmpty();
                }
            }
        });
        assertThat(rootSteps).as("root steps").containsExactly("DaemonSet nodepulse-agent container " + SPOOL_OWNER);

        for (String sa : List.of("nodepulse-agent", "nodepulse-processor")) {
            assertThat(m.one(ServiceAccount.class, sa).getAutomountServiceAccountToken()).as(sa).isFalse();
        }
        assertThat(m.agent().getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("nodepulse-agent");
        assertThat(m.processor().getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("nodepulse-processor");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentTmpIsAWritableEmptyDirAtTheJvmTmpdir(String overlay) throws IOException {
        String options = Files.readString(Repo.root().resolve("agent/jvm.options"));
        Matcher tmp = Pattern.compile("(?m)^-Djava\\.io\\.tmpdir=(\\S+)$").matcher(options);
        String tmpdir = tmp.find() ? tmp.group(1) : "/tmp";
        DaemonSet ds = Manifests.of(overlay).agent();
        Container agent = Manifests.container(ds.getSpec().getTemplate(), "agent");
        VolumeMount vm = Pods.mountAt(agent, tmpdir).orElseThrow(() -> new AssertionError("nothing at " + tmpdir));
        assertThat(vm.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        Volume v = Pods.volume(ds.getSpec().getTemplate().getSpec(), vm.getName());
        assertThat(v.getEmptyDir()).isNotNull();
        assertThat(v.getEmptyDir().getSizeLimit()).isNotNull();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void resourcesAreBoundedAndTheAgentStaysWithinTheSeed(String overlay) {
        Manifests m = Manifests.of(overlay);
        m.podTemplates().forEach((owner, t) -> {
            List<Container> all = new ArrayList<>(t.getSpec().getContainers());
            all.addAll(t.getSpec().getInitContainers());
            for (Container c : all) {
                String at = owner + " container " + c.getName();
                ResourceRequirements r = c.getResources();
                for (String res : List.of("cpu", "memory")) {
                    assertThat(r.getRequests()).as("%s requests", at).containsKey(res);
                    assertThat(r.getLimits()).as("%s limits", at).containsKey(res);
                    assertThat(Pods.amount(r.getRequests().get(res)))
                            .as("%s %s request <= limit", at, res)
                            .isLessThanOrEqualTo(Pods.amount(r.getLimits().get(res)));
                }
            }
        });
        Container agent = Manifests.container(m.agent().getSpec().getTemplate(), "agent");
        for (String res : List.of("cpu", "memory")) {
            BigDecimal req = Pods.amount(agent.getResources().getRequests().get(res));
            BigDecimal lim = Pods.amount(agent.getResources().getLimits().get(res));
            assertThat(req).as("agent %s request within the seed's", res)
                    .isLessThanOrEqualTo(Pods.amount(SEED_REQUESTS.get(res)));
            assertThat(lim).as("agent %s limit within the seed's", res)
                    .isLessThanOrEqualTo(Pods.amount(SEED_LIMITS.get(res)));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void probesAskTheOpsPort(String overlay) {
        Manifests m = Manifests.of(overlay);
        checkProbes(m.agent().getSpec().getTemplate(), "agent", 9108);
        checkProbes(m.processor().getSpec().getTemplate(), "processor", 9109);
    }

    private static void checkProbes(PodTemplateSpec t, String name, int defaultPort) {
        Container c = Manifests.container(t, name);
        int port = Integer.parseInt(Pods.envValues(c).getOrDefault("NODEPULSE_HTTP_PORT",
                Integer.toString(defaultPort)));
        Map<String, Probe> probes = Map.of("/healthz", c.getLivenessProbe(), "/readyz", c.getReadinessProbe());
        probes.forEach((path, probe) -> {
            assertThat(probe).as("%s probe %s", name, path).isNotNull();
            HTTPGetAction get = probe.getHttpGet();
            assertThat(get.getPath()).isEqualTo(path);
            assertThat(Pods.port(c, get.getPort())).as("%s probe port", name).isEqualTo(port);
        });
        if (c.getStartupProbe() != null) {
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void agentGetsTimeToDrainOnShutdown(String overlay) {
        DaemonSet ds = Manifests.of(overlay).agent();
        Container agent = Manifests.container(ds.getSpec().getTemplate(), "agent");
        String grace = Pods.envValues(agent).getOrDefault(AgentConfig.SHUTDOWN_GRACE, "10s");
        Duration d = AgentConfig.fromEnv(Map.of(AgentConfig.SHUTDOWN_GRACE, grace, "NODE_NAME", "n",
                "KAFKA_BOOTSTRAP_SERVERS", "k:9092"), AgentConfig.Mode.RUN).shutdownGrace();
        assertThat(ds.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isGreaterThan(d.toSeconds());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void secretsOnlyArriveAsFilesFromSecretVolumes(String overlay) {
        Manifests m = Manifests.of(overlay);
        assertThat(m.all(Secret.class)).as("Secret objects (their values would be in the manifests)").isEmpty();
        Pattern secretish = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|JAAS|CREDENTIAL|PRIVATE_KEY).*");
        m.podTemplates().forEach((owner, t) -> {
            PodSpec pod = t.getSpec();
            for (Container c : pod.getContainers()) {
                assertThat(c.getEnvFrom()).as("%s envFrom", owner).isEmpty();
                for (EnvVar e : c.getEnv()) {
                    String at = owner + " env " + e.getName();
                    if (e.getValueFrom() != null) {
                        assertThat(e.getValueFrom().getSecretKeyRef()).as("%s: secrets as files, not env", at)
                                .isNull();
                    }
                    assertThat(String.valueOf(e.getValue())).as(at).doesNotContainIgnoringCase("password=");
                    if (e.getName().endsWith("_FILE")) {
                        Volume v = Pods.volumeHolding(pod, c, e.getValue())
                                .orElseThrow(() -> new AssertionError(at + ": nothing mounted at " + e.getValue()));
                        assertThat(v.getSecret()).as("%s comes from a Secret volume", at).isNotNull();
                        String file = e.getValue().substring(e.getValue().lastIndexOf('/') + 1);
                        assertThat(v.getSecret().getItems()).as(at)
                                .anyMatch(i -> i.getPath().equals(file));
                        assertThat(v.getSecret().getDefaultMode() & 0007).as("%s not world-readable", at)
                                .isZero();
                    } else if (secretish.matcher(e.getName()).matches()) {
                        throw new AssertionError(at + " carries a secret inline; use " + e.getName() + "_FILE");
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void processorKeepsStateWithStandbysAndADisruptionBudget(String overlay) {
        Manifests m = Manifests.of(overlay);
        StatefulSet sts = m.processor();
        Container c = Manifests.container(sts.getSpec().getTemplate(), "processor");
        Map<String, String> env = Pods.envValues(c);
        String stateDir = env.get("NODEPULSE_STATE_DIR");
        assertThat(stateDir).isNotNull();
        VolumeMount state = Pods.mountAt(c, stateDir).orElseThrow();
        assertThat(sts.getSpec().getVolumeClaimTemplates())
                .anyMatch(p -> p.getMetadata().getName().equals(state.getName()));
        int replicas = sts.getSpec().getReplicas();
        int standbys = Integer.parseInt(env.getOrDefault("NODEPULSE_STANDBY_REPLICAS", "0"));
        if (replicas > 1) {
            assertThat(standbys).as("standby replicas with %d replicas", replicas).isBetween(1, replicas - 1);
        }
        Service headless = m.one(Service.class, sts.getSpec().getServiceName());
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        PodDisruptionBudget pdb = m.one(PodDisruptionBudget.class, "nodepulse-processor");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(Pods.mountAt(c, "/tmp")).as("writable tmp for RocksDB's native library").isPresent();
        if (env.containsKey("KAFKA_REPLICATION_FACTOR") && Integer.parseInt(env.get("KAFKA_REPLICATION_FACTOR")) > 1) {
            assertThat(env).as("Streams' topics acknowledged by more than their leader")
                    .containsEntry("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2");
        }
        if (replicas > 2) {
            assertThat(sts.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                    .as("an active and its standby never share a node")
                    .anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname")
                            && t.getWhenUnsatisfiable().equals("DoNotSchedule"));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void podMonitorsScrapeTheOpsPortOfTheirWorkload(String overlay) {
        Manifests m = Manifests.of(overlay);
        List<PodTemplateSpec> templates = List.of(m.agent().getSpec().getTemplate(),
                m.processor().getSpec().getTemplate());
        List<JsonNode> monitors = m.custom.stream().filter(d -> (d.path("apiVersion").asText() + "/"
                + d.path("kind").asText()).equals(Manifests.POD_MONITOR)).toList();
        if (overlay.equals("production")) {
            assertThat(monitors).as("production is scraped by the Prometheus Operator").hasSize(2);
        }
        for (JsonNode pm : monitors) {
            String name = pm.path("metadata").path("name").asText();
            Map<String, String> selector = new java.util.HashMap<>();
            pm.path("spec").path("selector").path("matchLabels").fields()
                    .forEachRemaining(f -> selector.put(f.getKey(), f.getValue().asText()));
            List<PodTemplateSpec> selected = templates.stream()
                    .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(selected).as(name + " selects one workload's pods").hasSize(1);
            assertThat(pm.path("metadata").path("namespace").asText()).isEqualTo("monitor");
            for (JsonNode e : pm.path("spec").path("podMetricsEndpoints")) {
                assertThat(e.path("path").asText()).isEqualTo("/metrics");
                assertThat(selected.get(0).getSpec().getContainers().stream()
                        .flatMap(c -> c.getPorts().stream()).map(p -> p.getName()))
                        .as(name + " scrapes a named container port").contains(e.path("port").asText());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void imagesArePinnedToATag(String overlay) {
        Manifests.of(overlay).podTemplates().forEach((owner, t) -> {
            List<Container> all = new ArrayList<>(t.getSpec().getContainers());
            all.addAll(t.getSpec().getInitContainers());
            for (Container c : all) {
                assertThat(c.getImage()).as("%s %s image", owner, c.getName()).matches(".+:[\\w][\\w.-]*")
                        .doesNotEndWith(":latest");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void networkPoliciesAllowOnlyKafkaDnsTheDatabaseAndScrapers(String overlay) {
        Manifests m = Manifests.of(overlay);
        NetworkPolicy deny = m.one(NetworkPolicy.class, "default-deny");
        assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(deny.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();

        m.podTemplates().forEach((owner, t) -> {
            Map<String, String> labels = t.getMetadata().getLabels();
            List<NetworkPolicy> mine = m.all(NetworkPolicy.class).stream()
                    .filter(p -> labels.entrySet().containsAll(
                            p.getSpec().getPodSelector().getMatchLabels() == null ? Set.of()
                                    : p.getSpec().getPodSelector().getMatchLabels().entrySet()))
                    .toList();
            Set<String> allowedEgress = new HashSet<>(Set.of("kafka:9092", "kafka:9093", "dns:53"));
            if (owner.contains("processor")) {
                allowedEgress.add("timescaledb:5432");
            }
            Set<String> egress = new HashSet<>();
            Set<String> ingress = new HashSet<>();
            for (NetworkPolicy p : mine) {
                for (NetworkPolicyEgressRule r : p.getSpec().getEgress()) {
                    assertThat(r.getTo()).as("%s egress to anywhere", owner).isNotEmpty();
                    for (NetworkPolicyPeer peer : r.getTo()) {
                        assertThat(r.getPorts()).as("%s egress on any port", owner).isNotEmpty();
                        for (NetworkPolicyPort port : r.getPorts()) {
                            egress.add(peerName(peer) + ":" + port.getPort().getIntVal());
                        }
                    }
                }
                for (NetworkPolicyIngressRule r : p.getSpec().getIngress()) {
                    for (NetworkPolicyPeer peer : r.getFrom()) {
                        for (NetworkPolicyPort port : r.getPorts()) {
                            ingress.add(peerName(peer) + ":" + port.getPort().getIntVal());
                        }
                    }
                }
            }
            assertThat(allowedEgress).as("%s egress", owner).containsAll(egress);
            assertThat(egress).as("%s egress", owner).contains("kafka:9092", "dns:53");
            if (owner.contains("processor")) {
                assertThat(egress).contains("timescaledb:5432");
                assertThat(ingress).containsExactly("monitoring:9109");
            } else if (owner.contains("agent")) {
                assertThat(ingress).containsExactly("monitoring:9108");
            } else {
                assertThat(ingress).isEmpty();
            }
        });
    }

    /** kafka, timescaledb, monitoring (namespaces) or dns (kube-dns pods in kube-system). */
    private static String peerName(NetworkPolicyPeer peer) {
        assertThat(peer.getIpBlock()).as("ipBlock peers").isNull();
        assertThat(peer.getNamespaceSelector()).as("peer without namespace selector").isNotNull();
        String ns = peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
        assertThat(ns).isNotNull();
        if (ns.equals("kube-system")) {
            assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns");
            return "dns";
        }
        assertThat(peer.getPodSelector()).isNull();
        return ns;
    }
}
