package io.nodepulse.agent;

import io.nodepulse.schema.NodeMetrics;
import java.time.Instant;

/**
 * Takes one reading of the node at a tick: a builder with the families, the collector results and the boot id
 * filled; the identity is stamped by the caller. {@code NodeCollector::collect} in production.
 */
@FunctionalInterface
public interface Sampler {
    NodeMetrics.Builder sample(Instant tick);
}
