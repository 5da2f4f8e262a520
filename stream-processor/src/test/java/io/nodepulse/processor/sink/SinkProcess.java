package io.nodepulse.processor.sink;

import io.nodepulse.ops.MetricRegistry;
import io.nodepulse.topic.Topics;
import io.nodepulse.wire.WireSerdes;
import java.util.HashMap;
import java.util.Map;

/** Runs a sink alone in its own JVM, so a test can kill it with SIGKILL. Settings come from the environment. */
public final class SinkProcess {
    private SinkProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("NODEPULSE_") || k.startsWith("KAFKA_")) {
                env.put(k, v);
            }
        });
        SinkConfig config = SinkConfig.fromEnv(env);
        WireSerdes serdes = WireSerdes.offline();
        Sink sink = Sink.start(config, new Topics(env.get("NODEPULSE_TOPIC_PREFIX"), serdes), serdes,
                new MetricRegistry());
        System.out.println("SINK STARTED");
        System.out.flush();
        while (sink.running()) {
            Thread.sleep(100);
        }
    }
}
