package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/** What an adjustment decided: a credit (one new lot) or a debit (lots spent), or why not. */
public sealed interface AdjustOutcome permits AdjustOutcome.Credited, AdjustOutcome.Debited, Refused {

    /** The ADJUSTMENT entry (positive), its new lot and the account after. */
    record Credited(LedgerEntry entry, Lot lot, AccountState after) implements AdjustOutcome {
        public Credited {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(lot, "lot");
            Objects.requireNonNull(after, "after");
        }
    }

    /** The ADJUSTMENT entry (negative), the points taken per lot (spending order), the lots after. */
    record Debited(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after)
            implements AdjustOutcome {
        public Debited {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
        }
    }
}
