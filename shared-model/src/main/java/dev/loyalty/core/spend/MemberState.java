package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the spend rules read about one member: the account, its lots and its holds.
 *
 * <p>{@code lots} must hold every lot a rule may touch: all lots with remaining points, plus,
 * for a reversal of a redeem, the lots that redeem used (they may be empty now). Lots whose
 * remaining is 0 may otherwise be left out. {@code holds} must hold every hold that may be
 * active (status HELD); finished holds may be left out, except the one a capture or void names,
 * so it can be told apart from one that does not exist.
 */
public record MemberState(AccountState account, List<Lot> lots, List<Hold> holds) {

    public MemberState {
        Objects.requireNonNull(account, "account");
        lots = List.copyOf(Objects.requireNonNull(lots, "lots"));
        holds = List.copyOf(Objects.requireNonNull(holds, "holds"));
        MemberId member = account.memberId();
        // Another member's lot or hold here would let one member spend or reserve another's points.
        Set<UUID> lotIds = new HashSet<>();
        for (Lot lot : lots) {
            if (!lot.memberId().equals(member)) {
                throw new IllegalArgumentException("lot " + lot.lotId() + " belongs to another member");
            }
            if (!lotIds.add(lot.lotId())) {
                throw new IllegalArgumentException("lot " + lot.lotId() + " appears twice");
            }
        }
        Set<UUID> holdIds = new HashSet<>();
        for (Hold hold : holds) {
            if (!hold.memberId().equals(member)) {
                throw new IllegalArgumentException("hold " + hold.holdId() + " belongs to another member");
            }
            if (!holdIds.add(hold.holdId())) {
                throw new IllegalArgumentException("hold " + hold.holdId() + " appears twice");
            }
        }
    }

    /** A member with no entries, lots or holds yet. */
    public static MemberState empty(MemberId memberId) {
        return new MemberState(AccountState.empty(memberId), List.of(), List.of());
    }

    public MemberId memberId() {
        return account.memberId();
    }

    /** Points reserved by holds active at {@code now}. */
    public long held(Instant now) {
        Objects.requireNonNull(now, "now");
        long total = 0;
        for (Hold hold : holds) {
            if (hold.isActiveAt(now)) {
                total = Math.addExact(total, hold.points());
            }
        }
        return total;
    }

    /**
     * Points the member can spend or hold at {@code now}: unexpired lots minus active holds.
     * Never negative: lots that expire under a hold can leave holds reserving more than there
     * is, and then nothing is available (not a debt).
     */
    public long available(Instant now) {
        return Math.max(0L, Math.subtractExact(SpendingOrder.available(lots, now), held(now)));
    }

    /** Points a capture of {@code hold} may spend: unexpired lots minus the OTHER active holds. */
    long capturable(Hold hold, Instant now) {
        long others = Math.subtractExact(held(now), hold.isActiveAt(now) ? hold.points() : 0L);
        return Math.max(0L, Math.subtractExact(SpendingOrder.available(lots, now), others));
    }

    public Optional<Hold> hold(UUID holdId) {
        for (Hold hold : holds) {
            if (hold.holdId().equals(holdId)) {
                return Optional.of(hold);
            }
        }
        return Optional.empty();
    }

    public Optional<Lot> lot(UUID lotId) {
        for (Lot lot : lots) {
            if (lot.lotId().equals(lotId)) {
                return Optional.of(lot);
            }
        }
        return Optional.empty();
    }

    /**
     * This state after an outcome was persisted: {@code account} replaces the account, and each
     * lot or hold in {@code upsertLots}/{@code upsertHolds} replaces the one with its id or is
     * added. For in-memory ledgers and tests; storage applies the same changes in SQL.
     */
    public MemberState withChanges(AccountState newAccount, List<Lot> upsertLots, List<Hold> upsertHolds) {
        Map<UUID, Lot> newLots = new LinkedHashMap<>();
        lots.forEach(l -> newLots.put(l.lotId(), l));
        upsertLots.forEach(l -> newLots.put(l.lotId(), l));
        Map<UUID, Hold> newHolds = new LinkedHashMap<>();
        holds.forEach(h -> newHolds.put(h.holdId(), h));
        upsertHolds.forEach(h -> newHolds.put(h.holdId(), h));
        return new MemberState(newAccount, new ArrayList<>(newLots.values()), new ArrayList<>(newHolds.values()));
    }
}
