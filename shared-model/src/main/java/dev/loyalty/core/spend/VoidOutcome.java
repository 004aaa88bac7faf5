package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What voiding a hold decided.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface VoidOutcome permits VoidOutcome.Voided, Refused {

    /** The hold to store as VOIDED and what the member can spend after it. */
    record Voided(Hold hold, long availableAfter) implements VoidOutcome {
        public Voided {
            Objects.requireNonNull(hold, "hold");
        }
    }
}
