package dev.loyalty.core.spend;

import java.util.Objects;

/**
 * A reward of the catalog as a redemption reads it.
 *
 * @param cost           points per unit, 1 to {@link dev.loyalty.core.Points#MAX_PER_OPERATION}
 * @param stock          units left; null means unlimited
 * @param perMemberLimit most units one member may hold PENDING or FULFILLED; null means no limit
 */
public record Reward(String rewardId, String name, long cost, Long stock, Integer perMemberLimit, boolean active) {
    public Reward {
        Objects.requireNonNull(rewardId, "rewardId");
        Objects.requireNonNull(name, "name");
        if (cost < 1) {
            throw new IllegalArgumentException("cost must be >= 1, was " + cost);
        }
        if (stock != null && stock < 0) {
            throw new IllegalArgumentException("stock must be >= 0, was " + stock);
        }
        if (perMemberLimit != null && perMemberLimit < 1) {
            throw new IllegalArgumentException("perMemberLimit must be >= 1, was " + perMemberLimit);
        }
    }

    public boolean unlimited() {
        return stock == null;
    }
}
