package dev.loyalty.core.returns;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One award of a purchase as stored: its EARN entry, the rule that made it, its point type and
 * points, the purchase's occurredAt (qualifying points count by it), and the lot it created.
 */
public record PurchaseAward(UUID entryId, String ruleId, String pointType, long points, Instant occurredAt, UUID lotId) {
    public PurchaseAward {
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(pointType, "pointType");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(lotId, "lotId");
        if (points < 1) {
            throw new IllegalArgumentException("an award has at least 1 point, was " + points);
        }
    }
}
