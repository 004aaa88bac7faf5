package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/** What closing an account decided, or why not. */
public sealed interface CloseOutcome permits CloseOutcome.Closed, Refused {

    /**
     * The account is closed at {@code closedAt}. {@code forfeiture} is the ADJUSTMENT entry that
     * takes every point left (null when nothing was left), with the points taken per lot and the
     * lots after; {@code voidedHolds} are the active holds, released.
     */
    record Closed(LedgerEntry forfeiture, List<Allocation> allocations, List<Lot> changedLots, AccountState after,
                  long forfeited, List<Hold> voidedHolds, java.time.Instant closedAt) implements CloseOutcome {
        public Closed {
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            voidedHolds = List.copyOf(voidedHolds);
            Objects.requireNonNull(closedAt, "closedAt");
        }
    }
}
