package dev.loyalty.functions.store;

import java.util.List;

/**
 * Told, right after a transaction commits, which outbox events it wrote (in member and
 * sequence order), so they can be published with low latency. A listener must not throw and
 * must not block for long: the relay publishes whatever a listener did not.
 */
public interface OutboxListener {
    void committed(List<OutboxEvent> events);
}
