package dev.loyalty.core;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Points from one earn, tracked so spending and expiry can say exactly whose points went where.
 * {@code remainingPoints} only goes down (spend, expire, return); {@code expiresAt} null means
 * never.
 *
 * <p>{@code pendingUntil} (null: never pending) is the end of a rule's return window: before it
 * the lot's points count in the balance but are not spendable (never spent, held, transferred
 * or redeemed); from it on they are, by time alone, exactly as expiry works. A lot whose expiry
 * comes at or before its pendingUntil simply expires (the sweep zeroes it like any other lot):
 * it never becomes available.
 */
public record Lot(UUID lotId, MemberId memberId, String pointType, long originalPoints,
                  long remainingPoints, Instant earnedAt, Instant expiresAt, Instant pendingUntil) {

    /** A lot that is never pending. */
    public Lot(UUID lotId, MemberId memberId, String pointType, long originalPoints, long remainingPoints,
               Instant earnedAt, Instant expiresAt) {
        this(lotId, memberId, pointType, originalPoints, remainingPoints, earnedAt, expiresAt, null);
    }

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

    /** Pending is exclusive of the boundary instant: at {@code pendingUntil} the points are available. */
    public boolean isPendingAt(Instant now) {
        Objects.requireNonNull(now, "now");
        return pendingUntil != null && now.isBefore(pendingUntil);
    }

    /** Points that count in the balance and may not be spent yet: remaining, pending, not expired. */
    public long pendingPointsAt(Instant now) {
        return isPendingAt(now) && !isExpiredAt(now) ? remainingPoints : 0L;
    }

    public boolean isSpendableAt(Instant now) {
        return remainingPoints > 0 && !isExpiredAt(now) && !isPendingAt(now);
    }

    public Lot withRemaining(long remaining) {
        return new Lot(lotId, memberId, pointType, originalPoints, remaining, earnedAt, expiresAt, pendingUntil);
    }

    public Lot withPendingUntil(Instant until) {
        return new Lot(lotId, memberId, pointType, originalPoints, remainingPoints, earnedAt, expiresAt, until);
    }
}
