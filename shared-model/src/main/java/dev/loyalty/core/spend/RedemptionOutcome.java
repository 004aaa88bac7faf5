package dev.loyalty.core.spend;

import java.util.Objects;

/**
 * What a redemption decided: the redemption (PENDING), the REDEEM that pays for it (entry,
 * allocations in spending order, lots after) and the units of stock to take, or why not.
 */
public sealed interface RedemptionOutcome permits RedemptionOutcome.Created, Refused {

    /** {@code stockTaken} is the quantity for a reward with a stock, 0 for an unlimited one. */
    record Created(Redemption redemption, RedeemOutcome.Redeemed redeemed, long stockTaken) implements RedemptionOutcome {
        public Created {
            Objects.requireNonNull(redemption, "redemption");
            Objects.requireNonNull(redeemed, "redeemed");
        }
    }
}
