package io.nodepulse.agent.collect;

import io.nodepulse.schema.EventKind;
import io.nodepulse.schema.NodeMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Completes collected builders with fixed identity fields, as the agent runtime would. */
final class Events {
    static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private Events() {
    }

    static NodeMetrics complete(NodeMetrics.Builder b, long seq) {
        return b.setCluster("test").setNode("ip-10-0-1-23").setRunId("00000000-0000-4000-8000-000000000001")
                .setSeq(seq).setEventTime(T0.plusSeconds(10 * (seq - 1))).setIntervalMs(10_000)
                .setAgentVersion("test").setKind(EventKind.SAMPLE).build();
    }

    /** The check with the fixture's temporary location written as {@code $FIXTURE}. */
    static Map<String, Object> selfCheck(SelfCheck c, java.nio.file.Path tree) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostView", c.hostView());
        m.put("findings", c.findings().stream().map(f -> f.replace(tree.toString(), "$FIXTURE")).toList());
        return m;
    }
}
