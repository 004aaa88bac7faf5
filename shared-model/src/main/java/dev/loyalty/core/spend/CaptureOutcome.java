package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What capturing a hold decided.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface CaptureOutcome permits CaptureOutcome.Captured, Refused {

    /**
     * The hold to store as CAPTURED (its {@code points} stay the amount originally held), the
     * REDEEM entry spending the captured points, and how many held points were released unspent.
     */
    record Captured(Hold hold, LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots,
                    AccountState after, long releasedPoints) implements CaptureOutcome {
        public Captured {
            Objects.requireNonNull(hold, "hold");
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            if (releasedPoints < 0) {
                throw new IllegalArgumentException("releasedPoints must be >= 0, was " + releasedPoints);
            }
        }
    }
}
