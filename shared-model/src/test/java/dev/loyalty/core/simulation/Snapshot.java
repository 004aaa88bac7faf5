package dev.loyalty.core.simulation;

import dev.loyalty.core.EntryKind;
import dev.loyalty.core.spend.Allocation;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything stored for one member, read at {@code now}, for the invariant checks. A storage-backed
 * implementation fills it with plain SELECTs: the account row, all the member's lots (including
 * empty ones), all entries in sequence order with their allocations, and all holds.
 *
 * @param exists    the member has an account (from its first earn); if false every list is empty
 * @param balance   the account's balance as stored
 * @param available what the member can spend at now (unexpired, not pending lots minus active holds, never below 0)
 * @param held      points reserved by holds active at now
 */
public record Snapshot(String memberId, boolean exists, long balance, long available, long held,
                       List<LotView> lots, List<EntryView> entries, List<HoldView> holds) {

    public Snapshot {
        Objects.requireNonNull(memberId, "memberId");
        lots = List.copyOf(lots);
        entries = List.copyOf(entries);
        holds = List.copyOf(holds);
    }

    /** An unknown member. */
    public static Snapshot absent(String memberId) {
        return new Snapshot(memberId, false, 0L, 0L, 0L, List.of(), List.of(), List.of());
    }

    /**
     * A lot. {@code sourceEntryId} is the EARN or TRANSFER_IN entry that created it, which is how
     * lots are matched between implementations that assign different ids.
     */
    public record LotView(UUID lotId, String pointType, long originalPoints, long remainingPoints,
                          Instant earnedAt, Instant expiresAt, UUID sourceEntryId, Instant pendingUntil) {

        /** A lot that is never pending. */
        public LotView(UUID lotId, String pointType, long originalPoints, long remainingPoints, Instant earnedAt,
                       Instant expiresAt, UUID sourceEntryId) {
            this(lotId, pointType, originalPoints, remainingPoints, earnedAt, expiresAt, sourceEntryId, null);
        }
    }

    /**
     * An entry. {@code reversesId} is the reversed transaction for a REVERSAL, the award's EARN
     * entry for a RETURN, else null.
     * {@code allocations} are the positive points per lot of entries that take from or give back
     * to existing lots (REDEEM, TRANSFER_OUT, EXPIRE, REVERSAL), in any order; empty for EARN and
     * TRANSFER_IN, whose points are the lots whose sourceEntryId is this entry.
     */
    public record EntryView(UUID entryId, EntryKind kind, long points, long balanceAfter, long sequence,
                            UUID reversesId, List<Allocation> allocations) {
        public EntryView {
            allocations = List.copyOf(allocations);
        }
    }

    /** A hold with its status as stored (a HELD hold past expiresAt is expired however stored). */
    public record HoldView(UUID holdId, long points, HoldStatus status, Instant expiresAt) {
    }
}
