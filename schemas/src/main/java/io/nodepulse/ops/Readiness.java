package io.nodepulse.ops;

import java.util.List;

/**
 * Whether the application can do its job now, with the reasons an operator needs when it cannot.
 *
 * @param ready  true when /readyz should answer 200
 * @param detail one line per check, e.g. "collection: ok" or "spool: 97% of budget"
 */
public record Readiness(boolean ready, List<String> detail) {
    public static Readiness of(boolean ready, String... detail) {
        return new Readiness(ready, List.of(detail));
    }
}
