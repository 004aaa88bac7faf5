package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What placing a hold decided.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface HoldOutcome permits HoldOutcome.HoldPlaced, Refused {

    /** The hold to store (status HELD) and what the member can still spend after it. */
    record HoldPlaced(Hold hold, long availableAfter) implements HoldOutcome {
        public HoldPlaced {
            Objects.requireNonNull(hold, "hold");
        }
    }
}
