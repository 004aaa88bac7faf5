package dev.loyalty.core.spend;

import dev.loyalty.core.Limits;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Rewards and redemptions as pure functions (contract Part 2, "Rewards and redemptions").
 * <ul>
 *   <li>{@link #redeem}: a reward that exists and is active, a quantity of 1..100, the member's
 *       limit (its PENDING and FULFILLED units of the reward plus these at most
 *       {@code perMemberLimit}), the stock (never below zero), then cost x quantity points spent
 *       by {@link SpendRules#redeem}, in the core's spending order. The first failure is the
 *       answer, in that order.</li>
 *   <li>{@link #fulfil} and {@link #cancel} only from PENDING. A cancel is the core's reversal
 *       ({@link SpendRules#reverse}) of the whole REDEEM: exactly the lots it spent get their
 *       points back, with their expiry; and one unit of stock per unit comes back.</li>
 * </ul>
 * The stock a rule sees is a read; storage takes it with a conditional decrement (never below
 * zero) in the same transaction, so a race the read could not see still cannot oversell.
 */
public final class RedemptionRules {
    public static final int QUANTITY_MIN = 1;
    public static final int QUANTITY_MAX = 100;
    /** A cancel's REVERSAL entry carries this prefix and the redemption id as its reference. */
    public static final String CANCEL_REFERENCE_PREFIX = "cancel:";

    private RedemptionRules() {
    }

    /** A reward id has the syntax of a member id: 1 to 64 characters of [A-Za-z0-9_.:-]. */
    public static boolean isValidRewardId(String rewardId) {
        return MemberId.isValid(rewardId);
    }

    /** Everything about a redemption request that needs no state. */
    public static Optional<Refusal> validate(RedemptionCommand command) {
        Objects.requireNonNull(command, "command");
        if (!isValidRewardId(command.rewardId())) {
            return Optional.of(new Refusal.InvalidRewardField("rewardId",
                    "rewardId must be 1..64 characters of A-Z a-z 0-9 _ . : -"));
        }
        int quantity = command.resolvedQuantity();
        if (quantity < QUANTITY_MIN || quantity > QUANTITY_MAX) {
            return Optional.of(new Refusal.InvalidQuantity(quantity,
                    "quantity must be between " + QUANTITY_MIN + " and " + QUANTITY_MAX));
        }
        if (!Limits.isValidReference(command.reference())) {
            return Optional.of(new Refusal.InvalidReference(command.reference()));
        }
        return Optional.empty();
    }

    /**
     * @param reward    the reward as read in the member's transaction; null when there is none
     * @param unitsHeld the member's PENDING and FULFILLED units of this reward
     * @param ids       source of fresh ids: the REDEEM entry id, then the redemption id
     */
    public static RedemptionOutcome redeem(MemberState state, Reward reward, long unitsHeld, RedemptionCommand command,
                                           Instant now, Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(ids, "ids");
        Optional<Refusal> invalid = validate(command);
        if (invalid.isPresent()) {
            return new Refused(invalid.get());
        }
        if (reward == null) {
            return new Refused(new Refusal.RewardNotFound(command.rewardId()));
        }
        if (!reward.rewardId().equals(command.rewardId())) {
            throw new IllegalArgumentException("the reward read is not the one asked for");
        }
        if (!reward.active()) {
            return new Refused(new Refusal.RewardInactive(reward.rewardId()));
        }
        int quantity = command.resolvedQuantity();
        long points = Math.multiplyExact(reward.cost(), (long) quantity);
        if (points > Points.MAX_PER_OPERATION) {
            return new Refused(new Refusal.InvalidQuantity(quantity,
                    "quantity x cost must not exceed " + Points.MAX_PER_OPERATION + " points"));
        }
        if (unitsHeld < 0) {
            throw new IllegalArgumentException("unitsHeld must be >= 0, was " + unitsHeld);
        }
        if (reward.perMemberLimit() != null && unitsHeld + quantity > reward.perMemberLimit()) {
            return new Refused(new Refusal.RedemptionLimitReached(reward.perMemberLimit(), unitsHeld));
        }
        if (!reward.unlimited() && reward.stock() < quantity) {
            return new Refused(new Refusal.OutOfStock(reward.rewardId(), quantity, reward.stock()));
        }
        RedeemCommand spend = new RedeemCommand(points, command.reference(),
                "reward " + reward.rewardId() + " x " + quantity);
        return switch (SpendRules.redeem(state, spend, now, ids)) {
            case RedeemOutcome.Redeemed r -> {
                UUID redemptionId = Objects.requireNonNull(ids.get(), "redemption id");
                Redemption redemption = new Redemption(redemptionId, state.memberId(), reward.rewardId(), quantity, points,
                        RedemptionStatus.PENDING, command.reference(), r.entry().entryId(), now);
                yield new RedemptionOutcome.Created(redemption, r, reward.unlimited() ? 0L : quantity);
            }
            case Refused r -> r;
        };
    }

    /** @param redemption the member's redemption read under its lock; null when there is none */
    public static FulfilOutcome fulfil(Redemption redemption, UUID redemptionId) {
        if (redemption == null) {
            return new Refused(new Refusal.RedemptionNotFound(redemptionId));
        }
        if (redemption.status() != RedemptionStatus.PENDING) {
            return new Refused(new Refusal.RedemptionNotPending(redemption.redemptionId(), redemption.status()));
        }
        return new FulfilOutcome.Fulfilled(redemption.withStatus(RedemptionStatus.FULFILLED));
    }

    /** The reference of a cancel's REVERSAL entry: one per redemption, so a redemption is refunded at most once. */
    public static String cancelReference(UUID redemptionId) {
        return CANCEL_REFERENCE_PREFIX + redemptionId;
    }

    /**
     * @param redemption the member's redemption read under its lock; null when there is none
     * @param reward     its reward (for whether it keeps a stock)
     * @param paid       what storage holds about the redemption's REDEEM entry (its allocations,
     *                   earlier reversals of it)
     * @param reason     why; required, like an adjustment's
     * @param ids        source of fresh ids: the REVERSAL entry id
     */
    public static CancelOutcome cancel(MemberState state, Redemption redemption, UUID redemptionId, Reward reward,
                                       ReversalContext paid, String reason, Instant now, Supplier<UUID> ids) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        if (reason == null || !Limits.isValidDescription(reason)) {
            return new Refused(new Refusal.InvalidText("reason", reason == null ? 0 : reason.length(), true));
        }
        if (redemption == null) {
            return new Refused(new Refusal.RedemptionNotFound(redemptionId));
        }
        if (redemption.status() != RedemptionStatus.PENDING) {
            return new Refused(new Refusal.RedemptionNotPending(redemption.redemptionId(), redemption.status()));
        }
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(paid, "paid");
        ReversalCommand reversal = new ReversalCommand(redemption.transactionId(), null,
                cancelReference(redemption.redemptionId()), reason);
        long stock = reward.unlimited() ? 0L : redemption.quantity();
        Redemption cancelled = redemption.withStatus(RedemptionStatus.CANCELLED);
        return switch (SpendRules.reverse(state, reversal, paid, now, ids)) {
            // Normally all of it; less only when an operator already reversed part of the REDEEM
            // (the reversal rule never gives back more than the REDEEM took, so never twice).
            case ReversalOutcome.Reversed r -> new CancelOutcome.Cancelled(cancelled, r, r.after().balance(), stock, now);
            case Refused r when r.refusal() instanceof Refusal.NotReversible n && n.reversible() == 0 ->
                    // An operator's reversal already gave everything back: the unit still returns.
                    new CancelOutcome.Cancelled(cancelled, null, state.account().balance(), stock, now);
            case Refused r -> r;
        };
    }
}
