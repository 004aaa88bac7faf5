package dev.loyalty.core.events;

import dev.loyalty.core.MemberId;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One change, told to other systems: written to the outbox in the same transaction as the
 * change, delivered at least once. {@code eventId} is fixed when the event is written and never
 * changes across redeliveries (consumers dedupe on it); the per-member {@code sequence} is given
 * by storage when it is written. {@code data} holds JSON values only (String, Number, Boolean,
 * null, List, Map), in a stable order.
 */
public record DomainEvent(UUID eventId, EventType type, MemberId memberId, Instant occurredAt, Instant recordedAt,
                          Map<String, Object> data) {
    public DomainEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(recordedAt, "recordedAt");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }
}
