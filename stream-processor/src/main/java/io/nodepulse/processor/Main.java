package io.nodepulse.processor;

import io.nodepulse.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the stream processor and its sink. Configuration comes from the environment (see
 * stream-processor/README.md); SIGTERM closes everything gracefully.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        ProcessorConfig config;
        try {
            config = ProcessorConfig.fromEnv(System.getenv());
        } catch (ConfigException e) {
            System.err.println("nodepulse processor: " + e.getMessage());
            System.exit(2);
            return;
        }
        log.info("configuration (secrets masked):\n{}", config.description());
        ProcessorApp app = new ProcessorApp(config);
        Thread hook = new Thread(app::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            app.start();
            code = app.await();
        } catch (Throwable e) {
            // any failure, an Error too: the ops server's thread would otherwise keep a broken process alive
            log.error("processor failed: {}", e.toString(), e);
            code = 1;
        }
        try {
            app.close();
        } catch (Throwable e) {
            log.error("closing the processor failed: {}", e.toString(), e);
            code = code == 0 ? 1 : code;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        System.exit(code);
    }
}
