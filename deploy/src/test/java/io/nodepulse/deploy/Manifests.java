package io.nodepulse.deploy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders an overlay with the real kustomize and parses every object strictly: Kubernetes kinds into fabric8's
 * model classes, where a field the class does not know (it would land in additionalProperties) is an error;
 * Strimzi's kinds against the fields their CRDs define for what we use.
 */
final class Manifests {
    /** Kinds the manifests may contain, and their model classes. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("apps/v1/DaemonSet", DaemonSet.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class));

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder().build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonMapper MODEL = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    final String overlay;
    final List<HasMetadata> objects;
    /** Strimzi custom resources, as trees. */
    final List<JsonNode> custom;

    private Manifests(String overlay, List<HasMetadata> objects, List<JsonNode> custom) {
        this.overlay = overlay;
        this.objects = List.copyOf(objects);
        this.custom = List.copyOf(custom);
    }

    /** The overlays under deploy/k8s/overlays. */
    static List<String> overlays() {
        try (Stream<Path> dirs = Files.list(Repo.k8s().resolve("overlays"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** `kustomize build deploy/k8s/overlays/NAME`, parsed; rendered once per JVM. */
    static Manifests of(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> parse(o, render(Repo.k8s().resolve("overlays").resolve(o))));
    }

    static String render(Path dir) {
        String kustomize = Repo.env("NODEPULSE_KUSTOMIZE");
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(kustomize, "build", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kustomize build " + dir + " did not finish in 120 s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("kustomize build " + dir + " failed (exit " + p.exitValue() + "):\n"
                            + Files.readString(err));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + kustomize + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Manifests parse(String overlay, String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        List<JsonNode> custom = new ArrayList<>();
        try (var parser = YAML.createParser(yaml)) {
            Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isEmpty()) {
                    continue;
                }
                String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                String where = overlay + ": " + key + " " + doc.path("metadata").path("name").asText();
                if (StrimziSchema.handles(doc)) {
                    StrimziSchema.check(doc, where);
                    custom.add(doc);
                    continue;
                }
                if (key.equals(POD_MONITOR)) {
                    checkPodMonitor(doc, where);
                    custom.add(doc);
                    continue;
                }
                Class<? extends HasMetadata> type = KINDS.get(key);
                if (type == null) {
                    throw new AssertionError(where + ": kind not expected in nodepulse's manifests");
                }
                HasMetadata object = MODEL.readValue(JSON.writeValueAsString(doc), type);
                List<String> unknown = new ArrayList<>();
                unknownFields(object, "", unknown, new IdentityHashMap<>());
                if (!unknown.isEmpty()) {
                    throw new AssertionError(where + ": fields the Kubernetes API does not define: " + unknown);
                }
                objects.add(object);
            }
        } catch (IOException e) {
            throw new AssertionError(overlay + ": the rendered YAML does not parse: " + e.getMessage(), e);
        }
        return new Manifests(overlay, objects, custom);
    }

    /** The Prometheus Operator's PodMonitor, kept as a tree beside the Strimzi resources. */
    static final String POD_MONITOR = "monitoring.coreos.com/v1/PodMonitor";
    private static final Set<String> POD_MONITOR_SPEC = Set.of("selector", "podMetricsEndpoints", "namespaceSelector",
            "jobLabel", "podTargetLabels", "sampleLimit");
    private static final Set<String> POD_METRICS_ENDPOINT = Set.of("port", "path", "interval", "scrapeTimeout",
            "scheme", "relabelings", "metricRelabelings", "honorLabels");

    /** The fields this project uses, spelt as the PodMonitor CRD defines them. */
    private static void checkPodMonitor(JsonNode doc, String where) {
        List<String> unknown = new ArrayList<>();
        doc.path("spec").fieldNames().forEachRemaining(f -> {
            if (!POD_MONITOR_SPEC.contains(f)) {
                unknown.add("spec." + f);
            }
        });
        for (JsonNode e : doc.path("spec").path("podMetricsEndpoints")) {
            e.fieldNames().forEachRemaining(f -> {
                if (!POD_METRICS_ENDPOINT.contains(f)) {
                    unknown.add("spec.podMetricsEndpoints[]." + f);
                }
            });
        }
        if (!unknown.isEmpty()) {
            throw new AssertionError(where + ": fields a PodMonitor does not have: " + unknown);
        }
    }

    /** Collects the paths of every non-empty additionalProperties map under a fabric8 model object. */
    static void unknownFields(Object o, String path, List<String> out, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
                    || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    for (Object k : extra.keySet()) {
                        out.add(path + "." + k);
                    }
                }
                continue;
            }
            unknownFields(v, path + "." + name, out, seen);
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + type.getSimpleName() + " " + name));
    }

    <T extends HasMetadata> java.util.Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    DaemonSet agent() {
        return one(DaemonSet.class, "nodepulse-agent");
    }

    StatefulSet processor() {
        return one(StatefulSet.class, "nodepulse-processor");
    }

    /** Every pod template: name of its owner to template. */
    Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> t = new LinkedHashMap<>();
        all(DaemonSet.class).forEach(d -> t.put("DaemonSet " + d.getMetadata().getName(), d.getSpec().getTemplate()));
        all(StatefulSet.class).forEach(s -> t.put("StatefulSet " + s.getMetadata().getName(),
                s.getSpec().getTemplate()));
        all(Job.class).forEach(j -> t.put("Job " + j.getMetadata().getName(), j.getSpec().getTemplate()));
        return t;
    }

    static Container container(PodTemplateSpec t, String name) {
        return t.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    List<JsonNode> custom(String kind) {
        return custom.stream().filter(n -> n.path("kind").asText().equals(kind)).toList();
    }

    static Set<String> keys(JsonNode n) {
        Set<String> s = new java.util.TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static ObjectNode yamlTree(Path file) {
        try {
            return (ObjectNode) YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
