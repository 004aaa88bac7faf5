package dev.loyalty.functions.store;

import java.time.Instant;
import java.util.UUID;

/**
 * A domain event as the outbox holds it: with the per-member {@code sequence} storage gave it.
 * {@code dataJson} is the event's {@code data} object, as JSON text.
 */
public record OutboxEvent(String memberId, long sequence, UUID eventId, String type, Instant occurredAt,
                          Instant recordedAt, String dataJson) {
}
