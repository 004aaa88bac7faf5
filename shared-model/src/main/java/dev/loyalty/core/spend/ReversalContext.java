package dev.loyalty.core.spend;

import dev.loyalty.core.LedgerEntry;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What storage knows about the transaction a reversal names, read under the member's lock.
 *
 * @param original              the entry being reversed; null when no such transaction exists
 * @param originalAllocations   for a REDEEM: the positive points it took per lot, in the order
 *                              they were allocated; for an EARN: one allocation, the earn's lot
 *                              with the earn's points; empty for other kinds or when not found
 * @param alreadyRestoredByLot  for a REDEEM: per lot, the points earlier reversals of this same
 *                              transaction restored to it (absent = 0)
 * @param alreadyReversed       the sum of the absolute points of earlier reversals of this transaction
 */
public record ReversalContext(LedgerEntry original, List<Allocation> originalAllocations,
                              Map<UUID, Long> alreadyRestoredByLot, long alreadyReversed) {

    public ReversalContext {
        originalAllocations = List.copyOf(Objects.requireNonNull(originalAllocations, "originalAllocations"));
        alreadyRestoredByLot = Map.copyOf(Objects.requireNonNull(alreadyRestoredByLot, "alreadyRestoredByLot"));
        if (alreadyReversed < 0) {
            throw new IllegalArgumentException("alreadyReversed must be >= 0, was " + alreadyReversed);
        }
        alreadyRestoredByLot.forEach((lot, points) -> {
            if (points < 0) {
                throw new IllegalArgumentException("restored points of lot " + lot + " must be >= 0, was " + points);
            }
        });
    }

    /** The transaction does not exist (for this member). */
    public static ReversalContext notFound() {
        return new ReversalContext(null, List.of(), Map.of(), 0L);
    }

    /** A transaction that has never been reversed. */
    public static ReversalContext firstReversalOf(LedgerEntry original, List<Allocation> originalAllocations) {
        return new ReversalContext(Objects.requireNonNull(original, "original"), originalAllocations, Map.of(), 0L);
    }
}
