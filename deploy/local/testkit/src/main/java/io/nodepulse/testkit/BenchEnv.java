package io.nodepulse.testkit;

import java.util.HashMap;
import java.util.Map;

/** For benchmarks run from the command line: the local stack's settings as exported into the environment. */
public final class BenchEnv {
    private BenchEnv() {
    }

    /**
     * The {@code NODEPULSE_*} variables of this process; exits with status 2 and says what to run when the local
     * stack's settings are not exported.
     */
    public static Map<String, String> localStackOrExit() {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("NODEPULSE_")) {
                env.put(k, v);
            }
        });
        if (!env.containsKey("NODEPULSE_JDBC_URL")) {
            System.err.println("run eval \"$(deploy/local/stack.sh env)\" first");
            System.exit(2);
        }
        return env;
    }
}
