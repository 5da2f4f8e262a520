package io.nodepulse.agent.encode;

import java.util.UUID;

/**
 * Who sends the events: the same for every event of one agent run.
 *
 * @param cluster      cluster name
 * @param node         node name, also the Kafka record key
 * @param runId        drawn at every start
 * @param agentVersion the agent's version
 */
public record AgentIdentity(String cluster, String node, UUID runId, String agentVersion) {
    public static AgentIdentity newRun(String cluster, String node, String agentVersion) {
        return new AgentIdentity(cluster, node, UUID.randomUUID(), agentVersion);
    }
}
