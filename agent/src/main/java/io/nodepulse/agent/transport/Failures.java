package io.nodepulse.agent.transport;

/** Failures put into words for logs and /readyz. */
public final class Failures {
    private Failures() {
    }

    /**
     * The exception and, when it wraps others, its root cause: "KafkaException: Failed to construct kafka producer"
     * alone does not say what to fix.
     */
    public static String describe(Throwable e) {
        String text = e.toString();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootText = root.toString();
        return root == e || text.contains(rootText) ? text : text + " (root cause: " + rootText + ")";
    }
}
