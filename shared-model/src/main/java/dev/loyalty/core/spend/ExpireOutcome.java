package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What the sweep decided for one member; expiry never refuses.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface ExpireOutcome permits ExpireOutcome.Expired, ExpireOutcome.NothingToExpire {

    /**
     * The member's one EXPIRE entry for this sweep, the points zeroed per lot, the lots after
     * (remaining 0), and the holds to store as EXPIRED.
     */
    record Expired(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after,
                   List<Hold> releasedHolds) implements ExpireOutcome {
        public Expired {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            releasedHolds = List.copyOf(releasedHolds);
        }
    }
    /** No lot to expire: no entry. {@code releasedHolds} (maybe empty) are to be stored as EXPIRED. */
    record NothingToExpire(List<Hold> releasedHolds) implements ExpireOutcome {
        public NothingToExpire {
            releasedHolds = List.copyOf(releasedHolds);
        }
    }
}
