package io.nodepulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of Strimzi's KafkaTopic and KafkaUser CRD schemas (kafka.strimzi.io/v1beta2) that nodepulse uses,
 * checked strictly: a field outside it, a wrong type or a value outside an enum fails, as the API server's
 * structural-schema validation would.
 */
final class StrimziSchema {
    static final String API = "kafka.strimzi.io/v1beta2";
    static final Set<String> OPERATIONS = Set.of("Read", "Write", "Create", "Delete", "Alter", "Describe",
            "ClusterAction", "AlterConfigs", "DescribeConfigs", "IdempotentWrite", "All");

    private StrimziSchema() {
    }

    static boolean handles(JsonNode doc) {
        return doc.path("apiVersion").asText().startsWith("kafka.strimzi.io/");
    }

    static void check(JsonNode doc, String where) {
        List<String> p = new ArrayList<>();
        if (!API.equals(doc.path("apiVersion").asText())) {
            p.add("apiVersion must be " + API);
        }
        only(doc, "", Set.of("apiVersion", "kind", "metadata", "spec"), p);
        JsonNode meta = doc.path("metadata");
        only(meta, "metadata", Set.of("name", "namespace", "labels", "annotations"), p);
        if (!meta.path("name").asText().matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            p.add("metadata.name is not a DNS-1123 subdomain");
        }
        if (meta.path("labels").path("strimzi.io/cluster").asText().isEmpty()) {
            p.add("metadata.labels needs strimzi.io/cluster: the operators ignore resources without it");
        }
        JsonNode spec = doc.path("spec");
        switch (doc.path("kind").asText()) {
            case "KafkaTopic" -> {
                only(spec, "spec", Set.of("topicName", "partitions", "replicas", "config"), p);
                positiveInt(spec, "partitions", p);
                positiveInt(spec, "replicas", p);
                if (!spec.path("topicName").isTextual()) {
                    p.add("spec.topicName must be a string");
                }
                spec.path("config").fields().forEachRemaining(e -> {
                    if (!e.getValue().isValueNode()) {
                        p.add("spec.config." + e.getKey() + " must be a scalar");
                    }
                });
            }
            case "KafkaUser" -> {
                only(spec, "spec", Set.of("authentication", "authorization", "quotas", "template"), p);
                JsonNode authn = spec.path("authentication");
                only(authn, "spec.authentication", Set.of("type", "password"), p);
                oneOf(authn, "type", Set.of("tls", "tls-external", "scram-sha-512"), "spec.authentication", p);
                JsonNode authz = spec.path("authorization");
                only(authz, "spec.authorization", Set.of("type", "acls"), p);
                oneOf(authz, "type", Set.of("simple"), "spec.authorization", p);
                int i = 0;
                for (JsonNode acl : authz.path("acls")) {
                    String at = "spec.authorization.acls[" + i++ + "]";
                    only(acl, at, Set.of("resource", "type", "host", "operations"), p);
                    JsonNode r = acl.path("resource");
                    only(r, at + ".resource", Set.of("type", "name", "patternType"), p);
                    oneOf(r, "type", Set.of("topic", "group", "cluster", "transactionalId"), at + ".resource", p);
                    if (!r.path("type").asText().equals("cluster")) {
                        oneOf(r, "patternType", Set.of("literal", "prefix"), at + ".resource", p);
                        if (!r.path("name").isTextual()) {
                            p.add(at + ".resource.name must be a string");
                        }
                    }
                    if (acl.has("type")) {
                        oneOf(acl, "type", Set.of("allow", "deny"), at, p);
                    }
                    if (!acl.path("operations").isArray() || acl.path("operations").isEmpty()) {
                        p.add(at + ".operations must be a non-empty list");
                    }
                    for (JsonNode op : acl.path("operations")) {
                        if (!OPERATIONS.contains(op.asText())) {
                            p.add(at + ".operations: unknown operation " + op);
                        }
                    }
                }
            }
            default -> p.add("kind " + doc.path("kind").asText() + " is not used by nodepulse");
        }
        if (!p.isEmpty()) {
            throw new AssertionError(where + ": " + p);
        }
    }

    private static void only(JsonNode n, String at, Set<String> allowed, List<String> p) {
        if (n.isMissingNode()) {
            return;
        }
        if (!n.isObject()) {
            p.add((at.isEmpty() ? "document" : at) + " must be an object");
            return;
        }
        n.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                p.add("unknown field " + (at.isEmpty() ? f : at + "." + f));
            }
        });
    }

    private static void positiveInt(JsonNode spec, String field, List<String> p) {
        JsonNode v = spec.path(field);
        if (!v.isIntegralNumber() || v.asInt() < 1) {
            p.add("spec." + field + " must be a positive integer");
        }
    }

    private static void oneOf(JsonNode n, String field, Set<String> values, String at, List<String> p) {
        if (!values.contains(n.path(field).asText())) {
            p.add(at + "." + field + " must be one of " + values);
        }
    }

    /** ACL operations by resource, e.g. "topic:literal:nodepulse.metrics" -> [Describe, Write]. */
    static Map<String, Set<String>> acls(JsonNode kafkaUser) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (JsonNode acl : kafkaUser.path("spec").path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            String key = r.path("type").asText() + ":" + r.path("patternType").asText("literal") + ":"
                    + r.path("name").asText();
            Set<String> ops = out.computeIfAbsent(key, k -> new java.util.TreeSet<>());
            acl.path("operations").forEach(o -> ops.add(o.asText()));
        }
        return out;
    }
}
