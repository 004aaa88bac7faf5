package dev.loyalty.core.returns;

import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.spend.Allocation;

import java.util.List;
import java.util.Objects;

/**
 * What one return did to one award: {@code due} (what the cumulative formula owes now),
 * taken from the award's own lot and from other lots, and the {@code shortfall} still missing
 * ({@code due = fromOwnLot + fromOtherLots + shortfall}). {@code entry} is the RETURN entry (null
 * when nothing was taken) and {@code allocations} the lots it took from, own lot first.
 */
public record AwardReturn(PurchaseAward award, long due, long fromOwnLot, long fromOtherLots, long shortfall,
                          LedgerEntry entry, List<Allocation> allocations) {
    public AwardReturn {
        Objects.requireNonNull(award, "award");
        allocations = List.copyOf(allocations);
        if (due < 0 || fromOwnLot < 0 || fromOtherLots < 0 || shortfall < 0
                || due != fromOwnLot + fromOtherLots + shortfall) {
            throw new IllegalArgumentException("an award's return does not add up");
        }
        long taken = fromOwnLot + fromOtherLots; // the fields are not assigned yet in a compact constructor
        if ((entry == null) != (taken == 0)) {
            throw new IllegalArgumentException("an entry exactly when points were taken");
        }
        if (entry != null && entry.points() != -taken) {
            throw new IllegalArgumentException("the entry does not carry what was taken");
        }
    }

    public long taken() {
        return fromOwnLot + fromOtherLots;
    }
}
