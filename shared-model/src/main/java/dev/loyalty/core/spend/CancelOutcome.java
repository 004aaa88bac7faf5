package dev.loyalty.core.spend;

import java.time.Instant;
import java.util.Objects;

/**
 * What a cancellation decided: the redemption, now CANCELLED; the REVERSAL of its REDEEM that
 * gives back exactly the lots it spent (null when an operator's reversal already gave all of it
 * back: nothing is left to refund); the balance after; the units of stock to return (0 for an
 * unlimited reward); or why not.
 */
public sealed interface CancelOutcome permits CancelOutcome.Cancelled, Refused {
    record Cancelled(Redemption redemption, ReversalOutcome.Reversed reversal, long balanceAfter, long stockReturned,
                     Instant cancelledAt) implements CancelOutcome {
        public Cancelled {
            Objects.requireNonNull(redemption, "redemption");
            Objects.requireNonNull(cancelledAt, "cancelledAt");
        }
    }
}
