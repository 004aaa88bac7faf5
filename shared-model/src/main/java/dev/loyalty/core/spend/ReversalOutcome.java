package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What a reversal decided.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface ReversalOutcome permits ReversalOutcome.Reversed, Refused {

    /**
     * The REVERSAL entry. Allocations are positive: for a redeem's reversal the points restored
     * to each lot (entry positive); for an earn's reversal the points taken from its lot (entry
     * negative). {@code changedLots} are those lots after the change.
     */
    record Reversed(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after)
            implements ReversalOutcome {
        public Reversed {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
        }
    }
}
