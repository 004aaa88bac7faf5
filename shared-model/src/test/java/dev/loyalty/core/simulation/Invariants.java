package dev.loyalty.core.simulation;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What must hold for any member at any moment, whatever happened before. Checked on every
 * snapshot after every step; each violation is an {@link AssertionError} naming the member.
 */
public final class Invariants {

    private Invariants() {
    }

    public static void check(Snapshot s, Instant now) {
        String who = s.memberId() + ": ";
        if (!s.exists()) {
            require(s.balance() == 0 && s.available() == 0 && s.held() == 0 && s.lots().isEmpty()
                    && s.entries().isEmpty() && s.holds().isEmpty(), () -> who + "an unknown member has data");
            return;
        }
        Map<UUID, Snapshot.LotView> lots = new HashMap<>();
        long lotsTotal = 0;
        long spendable = 0;
        for (Snapshot.LotView lot : s.lots()) {
            require(lots.put(lot.lotId(), lot) == null, () -> who + "lot " + lot.lotId() + " listed twice");
            require(lot.originalPoints() >= 1, () -> who + "lot " + lot.lotId() + " original " + lot.originalPoints());
            require(lot.remainingPoints() >= 0 && lot.remainingPoints() <= lot.originalPoints(), () ->
                    who + "lot " + lot.lotId() + " remaining " + lot.remainingPoints() + " of " + lot.originalPoints());
            lotsTotal = Math.addExact(lotsTotal, lot.remainingPoints());
            if (lot.remainingPoints() > 0 && (lot.expiresAt() == null || now.isBefore(lot.expiresAt()))
                    && (lot.pendingUntil() == null || !now.isBefore(lot.pendingUntil()))) {
                spendable = Math.addExact(spendable, lot.remainingPoints());
            }
        }

        // The history: gapless sequences, a continuous balanceAfter chain, never below zero.
        Map<UUID, Snapshot.EntryView> entries = new HashMap<>();
        long running = 0;
        long sequence = 0;
        for (Snapshot.EntryView e : s.entries()) {
            sequence++;
            long expectedSequence = sequence;
            require(e.sequence() == expectedSequence, () -> who + "entry " + e.entryId() + " has sequence " + e.sequence()
                    + ", expected " + expectedSequence);
            require(entries.put(e.entryId(), e) == null, () -> who + "entry id " + e.entryId() + " used twice");
            require(e.kind().allowsPoints(e.points()), () -> who + e.kind() + " entry with " + e.points() + " points");
            running = Math.addExact(running, e.points());
            long sum = running;
            require(e.balanceAfter() == sum, () -> who + "entry " + e.sequence() + " balanceAfter " + e.balanceAfter()
                    + ", but the entries sum to " + sum);
            require(e.balanceAfter() >= 0, () -> who + "balance went negative at entry " + e.sequence());
        }
        long entriesTotal = running;
        long remainingTotal = lotsTotal;
        require(s.balance() == entriesTotal, () -> who + "balance " + s.balance() + " != sum of entries " + entriesTotal);
        require(s.balance() == remainingTotal, () -> who + "balance " + s.balance() + " != sum of lots' remaining " + remainingTotal);

        // Every lot's remaining is explained by the entries that created it and moved points in and out.
        Map<UUID, Long> explained = new HashMap<>();
        Map<UUID, Long> createdBy = new HashMap<>();
        for (Snapshot.LotView lot : s.lots()) {
            Snapshot.EntryView source = entries.get(lot.sourceEntryId());
            require(source != null && createsLots(source), () ->
                    who + "lot " + lot.lotId() + " was not created by an EARN, TRANSFER_IN or credit ADJUSTMENT of this member");
            explained.put(lot.lotId(), lot.originalPoints());
            createdBy.merge(lot.sourceEntryId(), lot.originalPoints(), Math::addExact);
        }
        Map<UUID, Long> reversedOf = new HashMap<>();
        Map<UUID, Map<UUID, Long>> restoredOf = new HashMap<>();
        for (Snapshot.EntryView e : s.entries()) {
            long allocated = 0;
            Set<UUID> seen = new HashSet<>();
            for (Allocation a : e.allocations()) {
                require(lots.containsKey(a.lotId()), () -> who + "entry " + e.sequence() + " allocates unknown lot " + a.lotId());
                require(seen.add(a.lotId()), () -> who + "entry " + e.sequence() + " allocates lot " + a.lotId() + " twice");
                allocated = Math.addExact(allocated, a.points());
            }
            long allocatedTotal = allocated;
            if (createsLots(e)) {
                require(e.allocations().isEmpty(), () -> who + e.kind() + " entry " + e.sequence() + " has allocations");
                require(createdBy.getOrDefault(e.entryId(), 0L) == e.points(), () ->
                        who + e.kind() + " entry " + e.sequence() + " of " + e.points() + " created lots of "
                                + createdBy.getOrDefault(e.entryId(), 0L));
            } else {
                require(allocatedTotal == Math.abs(e.points()), () -> who + e.kind() + " entry "
                        + e.sequence() + " of " + e.points() + " allocates " + allocatedTotal);
            }
            // Debits take from lots, a redeem's reversal gives back; an earn's reversal takes.
            long sign = e.points() < 0 ? -1 : 1;
            for (Allocation a : e.allocations()) {
                explained.merge(a.lotId(), sign * a.points(), Math::addExact);
            }
            if (e.kind() == EntryKind.REVERSAL) {
                Snapshot.EntryView original = entries.get(e.reversesId());
                require(original != null && original.sequence() < e.sequence()
                                && (original.kind() == EntryKind.EARN || original.kind() == EntryKind.REDEEM), () ->
                        who + "reversal " + e.sequence() + " does not reverse an earlier EARN or REDEEM of this member");
                require(Long.signum(e.points()) == -Long.signum(original.points()), () ->
                        who + "reversal " + e.sequence() + " goes the same way as what it reverses");
                long total = reversedOf.merge(original.entryId(), Math.abs(e.points()), Math::addExact);
                require(total <= Math.abs(original.points()), () -> who + "reversals of entry " + original.sequence()
                        + " total " + total + ", more than its " + Math.abs(original.points()));
                if (original.kind() == EntryKind.REDEEM) {
                    Map<UUID, Long> gave = new HashMap<>();
                    original.allocations().forEach(a -> gave.put(a.lotId(), a.points()));
                    Map<UUID, Long> restored = restoredOf.computeIfAbsent(original.entryId(), k -> new HashMap<>());
                    for (Allocation a : e.allocations()) {
                        long back = restored.merge(a.lotId(), a.points(), Math::addExact);
                        require(back <= gave.getOrDefault(a.lotId(), 0L), () -> who + "lot " + a.lotId() + " got back "
                                + back + " from entry " + original.sequence() + ", which took "
                                + gave.getOrDefault(a.lotId(), 0L));
                    }
                } else {
                    require(e.allocations().size() == 1 && entries.get(lots.get(e.allocations().get(0).lotId())
                            .sourceEntryId()) == original, () -> who + "earn reversal " + e.sequence() + " not from the earn's lot");
                }
            } else if (e.kind() == EntryKind.RETURN) {
                // A return names the award it gives back; with the award's reversals it never passes it.
                Snapshot.EntryView award = entries.get(e.reversesId());
                require(award != null && award.sequence() < e.sequence() && award.kind() == EntryKind.EARN, () ->
                        who + "return " + e.sequence() + " does not name an earlier EARN of this member");
                long total = reversedOf.merge(award.entryId(), Math.abs(e.points()), Math::addExact);
                require(total <= award.points(), () -> who + "returns and reversals of entry " + award.sequence()
                        + " total " + total + ", more than its " + award.points());
            } else {
                require(e.reversesId() == null, () -> who + e.kind() + " entry " + e.sequence() + " names a reversed entry");
            }
        }
        for (Snapshot.LotView lot : s.lots()) {
            require(explained.get(lot.lotId()) == lot.remainingPoints(), () -> who + "lot " + lot.lotId() + " has "
                    + lot.remainingPoints() + " remaining but its entries explain " + explained.get(lot.lotId()));
        }

        long held = 0;
        Set<UUID> holdIds = new HashSet<>();
        for (Snapshot.HoldView hold : s.holds()) {
            require(holdIds.add(hold.holdId()), () -> who + "hold " + hold.holdId() + " listed twice");
            require(hold.points() >= 1, () -> who + "hold " + hold.holdId() + " of " + hold.points());
            if (hold.status() == HoldStatus.HELD && now.isBefore(hold.expiresAt())) {
                held = Math.addExact(held, hold.points());
            }
        }
        long activeHeld = held;
        long unexpired = spendable;
        require(s.held() == activeHeld, () -> who + "held " + s.held() + " but active holds total " + activeHeld);
        require(s.available() >= 0, () -> who + "available " + s.available());
        require(s.available() == Math.max(0, unexpired - activeHeld), () -> who + "available " + s.available()
                + " but unexpired lots " + unexpired + " minus held " + activeHeld);
    }

    /** Points moved between members are neither created nor lost. */
    public static void checkTransfersBalance(List<Snapshot> members) {
        long out = 0;
        long in = 0;
        for (Snapshot s : members) {
            for (Snapshot.EntryView e : s.entries()) {
                if (e.kind() == EntryKind.TRANSFER_OUT) {
                    out = Math.addExact(out, -e.points());
                } else if (e.kind() == EntryKind.TRANSFER_IN) {
                    in = Math.addExact(in, e.points());
                }
            }
        }
        long outTotal = out;
        long inTotal = in;
        require(outTotal == inTotal, () -> "transfers out total " + outTotal + " but transfers in total " + inTotal);
    }

    /** The message is built only on failure: checks run millions of times and almost never fail. */
    static void require(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    /** Entries that credit by creating lots: earns, incoming transfers and credit adjustments. */
    static boolean createsLots(Snapshot.EntryView e) {
        return e.kind() == EntryKind.EARN || e.kind() == EntryKind.TRANSFER_IN
                || (e.kind() == EntryKind.ADJUSTMENT && e.points() > 0);
    }
}
