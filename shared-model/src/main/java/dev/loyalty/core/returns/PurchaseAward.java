package dev.loyalty.core.returns;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One award of a purchase as stored: its EARN entry, the rule that made it, its point type and
 * points, the purchase's occurredAt (qualifying points count by it), the lot it created, what
 * earlier returns gave back of it ({@code returnedBefore}: taken plus shortfall) and what
 * reversals of its EARN entry took ({@code reversed}: an operator's correction; a return never
 * takes that back a second time).
 */
public record PurchaseAward(UUID entryId, String ruleId, String pointType, long points, Instant occurredAt, UUID lotId,
                            long returnedBefore, long reversed) {

    /** An award no return or reversal has touched yet. */
    public PurchaseAward(UUID entryId, String ruleId, String pointType, long points, Instant occurredAt, UUID lotId) {
        this(entryId, ruleId, pointType, points, occurredAt, lotId, 0, 0);
    }

    public PurchaseAward {
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(pointType, "pointType");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(lotId, "lotId");
        if (points < 1) {
            throw new IllegalArgumentException("an award has at least 1 point, was " + points);
        }
        // Their sum may pass the award: a reversal takes from the award's lot what is left of it,
        // also after a return whose part came from other lots or is a shortfall. The return rule
        // then owes nothing more.
        if (returnedBefore < 0 || reversed < 0) {
            throw new IllegalArgumentException("returns and reversals of an award are never negative");
        }
    }

    /** This award after a return gave back {@code due} more of it. */
    public PurchaseAward afterReturn(long due) {
        return new PurchaseAward(entryId, ruleId, pointType, points, occurredAt, lotId, Math.addExact(returnedBefore, due),
                reversed);
    }
}
