package dev.loyalty.functions.rewards;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;

/**
 * A reward of the catalog ({@code rewards}, V14), as a configuration entity. Its {@code stock}
 * is also the one hot row of a flash sale: a redemption takes it with a conditional SQL
 * decrement in its own transaction ({@link RedemptionService}), never through this entity.
 * So an operator's change loads the row with a row lock (PESSIMISTIC_WRITE: the decrement waits,
 * nothing is lost), and {@link DynamicUpdate} writes only the columns that changed: an update of
 * the name never writes the stock back.
 */
@Entity
@Table(name = "rewards")
@DynamicUpdate
public class Reward {
    @Id
    @Column(name = "reward_id", length = 64, nullable = false, updatable = false)
    public String rewardId;

    @Column(name = "name", length = 200, nullable = false)
    public String name;

    @Column(name = "cost", nullable = false)
    public long cost;

    /** Null: unlimited. */
    @Column(name = "stock")
    public Long stock;

    @Column(name = "per_member_limit")
    public Integer perMemberLimit;

    @Column(name = "active", nullable = false)
    public boolean active;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "updated_by", length = 128)
    public String updatedBy;

    RewardReceipts.RewardView view() {
        return new RewardReceipts.RewardView(rewardId, name, cost, stock, perMemberLimit, active);
    }
}
