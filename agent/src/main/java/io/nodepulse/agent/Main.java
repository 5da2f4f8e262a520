package io.nodepulse.agent;

import io.nodepulse.agent.collect.NodeCollector;
import io.nodepulse.agent.collect.SelfCheck;
import io.nodepulse.config.ConfigException;
import io.nodepulse.ops.MetricRegistry;
import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code Main} runs the agent; {@code Main --once} prints one sample as JSON. Exit codes: 0 done,
 * 1 failed at run time, 2 bad arguments, 74 the spool cannot be opened, 78 bad configuration. Logs go to
 * stderr, the --once sample to stdout.
 */
public final class Main {
    static final int EXIT_USAGE = 2;
    static final int EXIT_IO = 74;
    static final int EXIT_CONFIG = 78;

    private Main() {
    }

    public static void main(String[] args) {
        boolean once = false;
        for (String a : args) {
            switch (a) {
                case "--once" -> once = true;
                case "-h", "--help" -> {
                    System.out.println("usage: Main [--once]\n  runs the nodepulse agent (configuration from NODEPULSE_*"
                            + " and KAFKA_* variables, see agent/README.md);\n  --once prints one sample as JSON and "
                            + "exits");
                    return;
                }
                default -> {
                    System.err.println("unknown argument '" + a + "'; usage: Main [--once]");
                    System.exit(EXIT_USAGE);
                }
            }
        }
        AgentConfig config;
        try {
            config = AgentConfig.fromEnv(System.getenv(), once ? AgentConfig.Mode.ONCE : AgentConfig.Mode.RUN);
        } catch (ConfigException e) {
            System.err.println("nodepulse agent: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        NodeCollector collector = NodeCollector.create(config.collect());
        if (once) {
            try {
                OnceCommand.run(config, collector::collect, collector::bootId, Clock.systemUTC(), System.out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.exit(1);
            }
            return;
        }
        log.info("effective configuration (secrets masked):\n{}", config.description().stripTrailing());
        SelfCheck check = collector.selfCheck();
        for (String finding : check.findings()) {
            if (finding.startsWith(SelfCheck.CONTAINER_VIEW)) {
                log.warn("self-check: {}", finding);
            } else {
                log.info("self-check: {}", finding);
            }
        }
        MetricRegistry registry = new MetricRegistry();
        collector.registerMetrics(registry);
        AgentRuntime runtime;
        try {
            runtime = new AgentRuntime(config, collector::collect, collector::bootId, check.findings(), registry);
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            System.exit(EXIT_IO);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::shutdown, "shutdown"));
        try {
            runtime.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AgentRuntime.SenderStopped e) {
            log.error("exiting with status 1 so that the agent is restarted: {}", e.getMessage());
            System.exit(1);
        } catch (RuntimeException | Error e) {
            log.error("collection stopped unexpectedly", e);
            System.exit(1);
        }
    }
}
