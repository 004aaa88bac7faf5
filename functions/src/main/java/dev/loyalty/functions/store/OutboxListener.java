package dev.loyalty.functions.store;

import java.util.List;
import java.util.Set;

/**
 * Told, right after a transaction commits, which outbox events it wrote (in member and
 * sequence order), so they can be published with low latency. A listener must not throw and
 * must not block for long: the relay publishes whatever a listener did not.
 */
public interface OutboxListener {
    /**
     * {@code inOrder}: the members whose every earlier event was already published when the
     * transaction wrote these (seen under the member's row lock, in the write's own round trip):
     * their events may go out at once without overtaking an earlier one. For the other members
     * an earlier event was still waiting (or the write did not look: a queue batch).
     */
    void committed(List<OutboxEvent> events, Set<String> inOrder);
}
