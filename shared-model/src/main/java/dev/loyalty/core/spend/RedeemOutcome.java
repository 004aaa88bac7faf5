package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What a redeem decided: the entry and lots to write, or why not.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface RedeemOutcome permits RedeemOutcome.Redeemed, Refused {

    /** The REDEEM entry, the positive points taken per lot (spending order), and the lots after. */
    record Redeemed(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after)
            implements RedeemOutcome {
        public Redeemed {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
        }
    }
}
