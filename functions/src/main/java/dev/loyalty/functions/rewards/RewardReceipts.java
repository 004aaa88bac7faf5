package dev.loyalty.functions.rewards;

import dev.loyalty.functions.spend.Receipts;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The success bodies of the reward and redemption routes, as the contract names their fields. */
public final class RewardReceipts {
    private RewardReceipts() {
    }

    /** A reward as {@code GET /rewards} and {@code PUT /rewards/{id}} answer it; {@code stock} null = unlimited. */
    @RegisterForReflection
    public record RewardView(String rewardId, String name, long cost, Long stock, Integer perMemberLimit, boolean active) {
    }

    @RegisterForReflection
    public record Rewards(List<RewardView> items) {
    }

    @RegisterForReflection
    public record Stock(String rewardId, long stock) {
    }

    /** 201 of a redemption. */
    @RegisterForReflection
    public record Created(UUID redemptionId, String status, String rewardId, int quantity, long points, long balance,
                          UUID transactionId, List<Receipts.AllocationView> allocations) {
    }

    /** 200 of a fulfilment. */
    @RegisterForReflection
    public record Fulfilled(UUID redemptionId, String status, String rewardId, int quantity, long points,
                            String fulfilmentRef) {
    }

    /** 200 of a cancel: the balance after the refund. */
    @RegisterForReflection
    public record Cancelled(UUID redemptionId, String status, String rewardId, int quantity, long points, long balance,
                            UUID reversalTransactionId) {
    }

    /** An item of {@code GET /members/{id}/redemptions}. */
    @RegisterForReflection
    public record Item(UUID redemptionId, String status, String rewardId, int quantity, long points, String reference,
                       UUID transactionId, String fulfilmentRef, UUID reversalTransactionId, Instant createdAt) {
    }

    @RegisterForReflection
    public record Items(List<Item> items) {
    }
}
