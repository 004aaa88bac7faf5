package dev.loyalty.core.returns;

import java.util.List;
import java.util.Objects;

/**
 * The business event a return names, as stored: its reference, its amount in minor units (null
 * when it had none), how much of that earlier returns have returned, and its awards in order.
 */
public record Purchase(String reference, Long amount, long returnedSoFar, List<PurchaseAward> awards) {
    public Purchase {
        Objects.requireNonNull(reference, "reference");
        awards = List.copyOf(Objects.requireNonNull(awards, "awards"));
        if (amount != null && amount < 1) {
            throw new IllegalArgumentException("a purchase amount is at least 1, was " + amount);
        }
        if (returnedSoFar < 0 || returnedSoFar > (amount == null ? 1 : amount)) {
            throw new IllegalArgumentException("returnedSoFar " + returnedSoFar + " is outside the purchase");
        }
    }

    /** What the cumulative formula divides by: the amount, or one unit for a purchase without one. */
    public long purchaseAmount() {
        return amount == null ? 1L : amount;
    }

    /** What can still be returned, in minor units. */
    public long returnable() {
        return purchaseAmount() - returnedSoFar;
    }
}
