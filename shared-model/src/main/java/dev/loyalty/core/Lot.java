package dev.loyalty.core;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Points from one earn, tracked so spending and expiry can say exactly whose points went where.
 * {@code remainingPoints} only goes down (spend, expire); {@code expiresAt} null means never.
 */
public record Lot(UUID lotId, MemberId memberId, String pointType, long originalPoints,
                  long remainingPoints, Instant earnedAt, Instant expiresAt) {

    public Lot {
        Objects.requireNonNull(lotId, "lotId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(earnedAt, "earnedAt");
        if (!PointType.isValidCode(pointType)) {
            throw new IllegalArgumentException("invalid point type code");
        }
        if (originalPoints < 1) {
            throw new IllegalArgumentException("originalPoints must be >= 1, was " + originalPoints);
        }
        if (remainingPoints < 0 || remainingPoints > originalPoints) {
            throw new IllegalArgumentException("remainingPoints must be in 0.." + originalPoints
                    + ", was " + remainingPoints);
        }
    }

    /** Expiry is inclusive of the boundary instant: at {@code expiresAt} the points are gone. */
    public boolean isExpiredAt(Instant now) {
        Objects.requireNonNull(now, "now");
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public boolean isSpendableAt(Instant now) {
        return remainingPoints > 0 && !isExpiredAt(now);
    }

    public Lot withRemaining(long remaining) {
        return new Lot(lotId, memberId, pointType, originalPoints, remaining, earnedAt, expiresAt);
    }
}
