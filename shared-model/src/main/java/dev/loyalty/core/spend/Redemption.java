package dev.loyalty.core.spend;

import dev.loyalty.core.MemberId;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A member's redemption of {@code quantity} units of a reward for {@code points}, paid by the
 * REDEEM entry {@code transactionId}.
 */
public record Redemption(UUID redemptionId, MemberId memberId, String rewardId, int quantity, long points,
                         RedemptionStatus status, String reference, UUID transactionId, Instant createdAt) {
    public Redemption {
        Objects.requireNonNull(redemptionId, "redemptionId");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(rewardId, "rewardId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(createdAt, "createdAt");
        if (quantity < RedemptionRules.QUANTITY_MIN || quantity > RedemptionRules.QUANTITY_MAX) {
            throw new IllegalArgumentException("quantity out of range: " + quantity);
        }
        if (points < 1) {
            throw new IllegalArgumentException("points must be >= 1, was " + points);
        }
    }

    public Redemption withStatus(RedemptionStatus next) {
        return new Redemption(redemptionId, memberId, rewardId, quantity, points, next, reference, transactionId, createdAt);
    }
}
