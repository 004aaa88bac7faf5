package dev.loyalty.core.spend;

import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.AllocationResult.Allocated;
import dev.loyalty.core.spend.AllocationResult.Shortfall;

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
    /**
     * {@link #ORDER} as SQL, for set-based statements over the lots table (the sweep): expiry
     * (PostgreSQL sorts NULL last ascending, as {@code nullsLast} does), then earnedAt, then lot
     * id in uuid order ({@link #compareLikePostgres}). A test runs the core's sweep and the SQL
     * sweep on the same lots and requires identical entries and allocations.
     */
    public static final String SQL_ORDER = "expires_at, earned_at, lot_id";

    public static final Comparator<Lot> ORDER = Comparator
            .comparing(Lot::expiresAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(Lot::earnedAt)
            .thenComparing(Lot::lotId, SpendingOrder::compareLikePostgres);

    /**
     * Lot ids in PostgreSQL's uuid order (bytes, unsigned), which {@link UUID#compareTo} (signed
     * longs) is not: so the core and a set-based statement ordering by {@code lot_id} agree.
     */
    public static int compareLikePostgres(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

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
            return new Shortfall(points, available);
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

    /**
     * Points pending at {@code now}: remaining points of lots still in their return window and
     * not expired. They count in the balance and not in what is available.
     */
    public static long pending(List<Lot> lots, Instant now) {
        Objects.requireNonNull(now, "now");
        long total = 0;
        for (Lot lot : lots) {
            total = Math.addExact(total, lot.pendingPointsAt(now));
        }
        return total;
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
