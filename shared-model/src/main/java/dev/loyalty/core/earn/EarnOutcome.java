package dev.loyalty.core.earn;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;
import dev.loyalty.core.Refusal;

import java.util.Objects;

/** The result of an earn: {@link Earned} or {@link Refused} with the one {@link Refusal} reason. */
public sealed interface EarnOutcome permits EarnOutcome.Earned, EarnOutcome.Refused {

    /** The entry to append, the lot to create, and the account state after both. */
    record Earned(LedgerEntry entry, Lot lot, AccountState after) implements EarnOutcome {
        public Earned {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(lot, "lot");
            Objects.requireNonNull(after, "after");
        }
    }

    /** Nothing is to be written. */
    record Refused(Refusal refusal) implements EarnOutcome {
        public Refused {
            Objects.requireNonNull(refusal, "refusal");
        }
    }
}
