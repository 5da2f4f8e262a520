package io.nodepulse.agent.transport;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.utils.internals.LogContext;

/**
 * What building the producer would reject, found at start without building one. A {@code KafkaProducer}
 * resolves the brokers' names when it is built (a DNS failure then is no configuration error) and, being
 * idempotent, connects at once from its I/O thread; so the constructor's checks are made one by one with
 * Kafka's own code: the properties together ({@link ProducerConfig}, which also loads the classes they name),
 * the form of each bootstrap address (host:port, not resolved), the TLS key and trust stores (loaded), and the
 * JAAS configuration of SASL (parsed; no login, which may need the network).
 */
public final class ProducerCheck {
    private ProducerCheck() {
    }

    /**
     * Problems with the operator's {@code KAFKA_*} settings, each naming the variables it is about. Call it once
     * every property is valid on its own.
     */
    public static List<String> problems(Map<String, Object> user) {
        Map<String, Object> props = ProducerProperties.effective(user, "nodepulse-agent-check");
        ProducerConfig config;
        try {
            config = new ProducerConfig(props);
        } catch (RuntimeException e) {
            return List.of(problem(user, "the KAFKA_* settings", "are rejected by the producer", e));
        }
        List<String> problems = new ArrayList<>();
        List<String> servers = config.getList(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        List<String> bad = new ArrayList<>();
        for (String url : servers) {
            if (!url.isBlank() && (Utils.getHost(url) == null || Utils.getPort(url) == null)) {
                bad.add("'" + url + "'");
            }
        }
        if (!bad.isEmpty()) {
            problems.add(ProducerProperties.variable(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + "='"
                    + user.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + "': " + String.join(", ", bad)
                    + (bad.size() == 1 ? " is" : " are") + " not host:port (e.g. kafka-0.kafka:9093)");
        } else if (servers.stream().allMatch(String::isBlank)) {
            problems.add(ProducerProperties.variable(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    + " names no broker (host:port, comma-separated)");
        }
        SecurityProtocol protocol = SecurityProtocol.forName(
                config.getString(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG));
        if (protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL) {
            // the TLS part alone: with SASL the channel builder would also log in
            Map<String, Object> tls = new TreeMap<>(props);
            tls.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SSL.name);
            try {
                ChannelBuilder channels = ClientUtils.createChannelBuilder(new ProducerConfig(tls), Time.SYSTEM,
                        new LogContext());
                channels.close();
            } catch (RuntimeException e) {
                problems.add(problem(user, "the KAFKA_SSL_* settings", "do not give a working TLS setup", e));
            }
        }
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            try {
                JaasContext.loadClientContext(config.values());
            } catch (RuntimeException e) {
                problems.add(problem(user, "KAFKA_SASL_JAAS_CONFIG", "does not give a usable JAAS configuration "
                        + "for SASL", e));
            }
        }
        return problems;
    }

    /**
     * "KAFKA_X, KAFKA_Y <what>: <the failure and its root cause>", naming the variables whose property name or
     * (non-secret) file path the failure mentions, or {@code otherwise} when it mentions none.
     */
    private static String problem(Map<String, Object> user, String otherwise, String what, RuntimeException e) {
        String failure = Failures.describe(e);
        Map<String, ConfigDef.ConfigKey> keys = ProducerConfig.configDef().configKeys();
        Set<String> named = new LinkedHashSet<>();
        for (Map.Entry<String, Object> p : new TreeMap<>(user).entrySet()) {
            ConfigDef.ConfigKey key = keys.get(p.getKey());
            boolean secret = key != null && key.type == ConfigDef.Type.PASSWORD;
            String value = String.valueOf(p.getValue()).strip();
            boolean path = value.length() > 2 && value.contains("/");
            if (failure.contains(p.getKey()) || !secret && path && failure.contains(value)) {
                named.add(ProducerProperties.variable(p.getKey()));
            }
        }
        return (named.isEmpty() ? otherwise : String.join(", ", named)) + " " + what + ": " + failure;
    }
}
