package io.nodepulse.agent.collect;

import java.util.List;

/**
 * Whether the agent sees the host or a container, checked at start-up.
 *
 * @param hostView false when the view is clearly a container's; the findings starting with
 *                 {@link #CONTAINER_VIEW} say why
 * @param findings one sentence each: what was seen and what to do
 */
public record SelfCheck(boolean hostView, List<String> findings) {
    /** Prefix of findings that make {@code hostView} false. */
    public static final String CONTAINER_VIEW = "container view: ";
    /** Prefix of informational findings. */
    public static final String NOTE = "note: ";

    public SelfCheck {
        findings = List.copyOf(findings);
    }
}
