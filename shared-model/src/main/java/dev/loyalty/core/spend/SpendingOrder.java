package dev.loyalty.core.spend;

import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.AllocationResult.Allocated;
import dev.loyalty.core.spend.AllocationResult.InsufficientPoints;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** The order lots are spent in, and greedy allocation over it. */
public final class SpendingOrder {

    /**
     * Earliest expiry first (never-expiring last), then oldest earnedAt, then lotId so that no
     * two distinct lots compare equal and the allocation does not depend on input order.
     */
    public static final Comparator<Lot> ORDER = Comparator
            .comparing(Lot::expiresAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(Lot::earnedAt)
            .thenComparing(Lot::lotId);

    private SpendingOrder() {
    }

    /**
     * Allocates {@code points} across the lots spendable at {@code now}, greedily in {@link #ORDER}.
     *
     * @param lots one member's lots, in any order
     * @throws IllegalArgumentException if {@code points < 1}, or the lots mix members or repeat a
     *                                  lot id (either would spend points that are not there)
     */
    public static AllocationResult allocate(List<Lot> lots, long points, Instant now) {
        if (points < 1) {
            throw new IllegalArgumentException("points must be >= 1, was " + points);
        }
        List<Lot> spendable = spendable(lots, now);
        long available = sum(spendable);
        if (available < points) {
            return new InsufficientPoints(points, available);
        }
        spendable.sort(ORDER);
        List<Allocation> allocations = new ArrayList<>();
        long left = points;
        for (Lot lot : spendable) {
            long take = Math.min(left, lot.remainingPoints());
            allocations.add(new Allocation(lot.lotId(), take));
            left = Math.subtractExact(left, take);
            if (left == 0) {
                break;
            }
        }
        return new Allocated(allocations, points);
    }

    /** Points spendable at {@code now}: the sum of remaining points of unexpired lots. */
    public static long available(List<Lot> lots, Instant now) {
        return sum(spendable(lots, now));
    }

    private static List<Lot> spendable(List<Lot> lots, Instant now) {
        Objects.requireNonNull(lots, "lots");
        Objects.requireNonNull(now, "now");
        Set<UUID> seen = new HashSet<>();
        MemberId member = null;
        List<Lot> spendable = new ArrayList<>();
        for (Lot lot : lots) {
            Objects.requireNonNull(lot, "lot");
            if (!seen.add(lot.lotId())) {
                throw new IllegalArgumentException("lot " + lot.lotId() + " appears twice");
            }
            if (member == null) {
                member = lot.memberId();
            } else if (!member.equals(lot.memberId())) {
                throw new IllegalArgumentException("lots belong to more than one member");
            }
            if (lot.isSpendableAt(now)) {
                spendable.add(lot);
            }
        }
        return spendable;
    }

    private static long sum(List<Lot> lots) {
        long total = 0;
        for (Lot lot : lots) {
            total = Math.addExact(total, lot.remainingPoints());
        }
        return total;
    }
}
