package dev.loyalty.functions.rewards;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;

/**
 * An operator's change of a reward's stock ({@code reward_stock_changes}, V14), exactly once per
 * (reward, reference); append-only (the app role may SELECT and INSERT it).
 */
@Entity
@Table(name = "reward_stock_changes")
@IdClass(RewardStockChange.Key.class)
public class RewardStockChange {
    /** The composite key: (reward, reference). */
    public static class Key implements Serializable {
        public String rewardId;
        public String reference;

        public Key() {
        }

        public Key(String rewardId, String reference) {
            this.rewardId = rewardId;
            this.reference = reference;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(rewardId, k.rewardId)
                    && java.util.Objects.equals(reference, k.reference);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(rewardId, reference);
        }
    }

    @Id
    @Column(name = "reward_id", length = 64, nullable = false, updatable = false)
    public String rewardId;

    @Id
    @Column(name = "reference", length = 128, nullable = false, updatable = false)
    public String reference;

    @Column(name = "delta", nullable = false, updatable = false)
    public long delta;

    @Column(name = "stock_after", nullable = false, updatable = false)
    public long stockAfter;

    @Column(name = "request_fingerprint", length = 64, nullable = false, updatable = false)
    public String requestFingerprint;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "actor_sub", length = 128, updatable = false)
    public String actorSub;
}
