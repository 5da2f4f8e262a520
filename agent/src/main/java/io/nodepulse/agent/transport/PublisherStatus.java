package io.nodepulse.agent.transport;

/**
 * @param schemaRegistered   the writer schema is in the schemas topic
 * @param lastAckMillis      wall-clock time of the last acknowledgement, 0 if none yet
 * @param failure            the last failure while deliveries fail; null when they work
 * @param failingSinceMillis when deliveries started failing, 0 when they work
 * @param stopped            the sender stopped for good after an {@link Error} ({@code failure} says which);
 *                           this process sends nothing more
 */
public record PublisherStatus(boolean schemaRegistered, long lastAckMillis, String failure,
                              long failingSinceMillis, boolean stopped) {
}
