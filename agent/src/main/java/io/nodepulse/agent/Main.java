package io.nodepulse.agent;

import io.nodepulse.agent.collect.NodeCollector;
import io.nodepulse.agent.collect.SelfCheck;
import io.nodepulse.agent.transport.Failures;
import io.nodepulse.config.ConfigException;
import io.nodepulse.ops.MetricRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code Main} runs the agent; {@code Main --once} prints one sample as JSON. Exit codes: 0 done,
 * 1 failed at start or at run time, 2 bad arguments, 74 the spool cannot be opened or the ops port not bound,
 * 78 bad configuration. Logs go to stderr, the --once sample to stdout.
 */
public final class Main {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_IO = 74;
    static final int EXIT_CONFIG = 78;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** Runs the agent with a valid configuration until it stops. */
    @FunctionalInterface
    interface Agent {
        void run(AgentConfig config) throws IOException, InterruptedException;
    }

    /** A failure while the agent starts, as opposed to one while it runs. */
    static final class StartFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartFailed(Throwable cause) {
            super(cause);
        }
    }

    private Main() {
    }

    public static void main(String[] args) {
        exit(run(args, System.getenv(), Main::agent));
    }

    /**
     * Ends the JVM on a failure. Returning from main is not enough: a non-daemon thread (the ops port's HTTP
     * dispatcher) would keep a failed agent's JVM alive, answering /healthz.
     */
    static void exit(int status) {
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The exit status for these arguments and environment; never throws. */
    static int run(String[] args, Map<String, String> env, Agent agent) {
        boolean once = false;
        for (String a : args) {
            switch (a) {
                case "--once" -> once = true;
                case "-h", "--help" -> {
                    System.out.println("usage: Main [--once]\n  runs the nodepulse agent (configuration from "
                            + "NODEPULSE_* and KAFKA_* variables, see agent/README.md);\n  --once prints one sample as "
                            + "JSON and exits");
                    return 0;
                }
                default -> {
                    System.err.println("unknown argument '" + a + "'; usage: Main [--once]");
                    return EXIT_USAGE;
                }
            }
        }
        AgentConfig config;
        try {
            config = AgentConfig.fromEnv(env, once ? AgentConfig.Mode.ONCE : AgentConfig.Mode.RUN);
        } catch (ConfigException e) {
            System.err.println("nodepulse agent: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (RuntimeException | LinkageError e) {
            log.error("cannot read the configuration: {}", Failures.describe(e), e);
            return EXIT_FAILURE;
        }
        try {
            if (once) {
                NodeCollector collector = NodeCollector.create(config.collect());
                OnceCommand.run(config, collector::collect, collector::bootId, Clock.systemUTC(), System.out);
            } else {
                agent.run(config);
            }
            return 0;
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return EXIT_IO;
        } catch (StartFailed e) {
            log.error("cannot start: {}", Failures.describe(e.getCause()), e.getCause());
            return EXIT_FAILURE;
        } catch (AgentRuntime.SenderStopped e) {
            log.error("exiting with status 1 so that the agent is restarted: {}", e.getMessage());
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted; exiting");
            return EXIT_FAILURE;
        } catch (RuntimeException | Error e) {
            log.error("{} stopped unexpectedly: {}", once ? "--once" : "collection", Failures.describe(e), e);
            return EXIT_FAILURE;
        }
    }

    /** Starts the agent and collects until SIGTERM. */
    private static void agent(AgentConfig config) throws IOException, InterruptedException {
        AgentRuntime runtime;
        try {
            log.info("effective configuration (secrets masked):\n{}", config.description().stripTrailing());
            NodeCollector collector = NodeCollector.create(config.collect());
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
            runtime = new AgentRuntime(config, collector::collect, collector::bootId, check.findings(), registry);
        } catch (RuntimeException | Error e) {
            throw new StartFailed(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::shutdown, "shutdown"));
        runtime.run();
    }
}
