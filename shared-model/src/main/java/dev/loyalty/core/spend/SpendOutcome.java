package dev.loyalty.core.spend;

import dev.loyalty.core.Refusal;
import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The result of a spend-side rule (redeem, hold, capture, void, reversal, transfer, expire):
 * one success record saying exactly what to persist, or one {@link Rejected} reason.
 * The rejection records are declared here (not inside {@link Rejected}) so both
 * {@code SpendOutcome.InvalidPoints} and {@code SpendOutcome.Rejected.InvalidPoints} name them.
 * Messages never echo the rejected value: it is untrusted and may be huge or contain markup.
 *
 * <p>Lists of lots are the lots as they are AFTER the change: {@code changedLots} are existing
 * lots whose remaining points changed, {@code newReceiverLots} lots to create.
 */
public sealed interface SpendOutcome {

    /** The REDEEM entry, the positive points taken per lot (spending order), and the lots after. */
    record Redeemed(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after)
            implements SpendOutcome {
        public Redeemed {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
        }
    }

    /** The hold to store (status HELD) and what the member can still spend after it. */
    record HoldPlaced(Hold hold, long availableAfter) implements SpendOutcome {
        public HoldPlaced {
            Objects.requireNonNull(hold, "hold");
        }
    }

    /**
     * The hold to store as CAPTURED (its {@code points} stay the amount originally held), the
     * REDEEM entry spending the captured points, and how many held points were released unspent.
     */
    record Captured(Hold hold, LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots,
                    AccountState after, long releasedPoints) implements SpendOutcome {
        public Captured {
            Objects.requireNonNull(hold, "hold");
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            if (releasedPoints < 0) {
                throw new IllegalArgumentException("releasedPoints must be >= 0, was " + releasedPoints);
            }
        }
    }

    /** The hold to store as VOIDED and what the member can spend after it. */
    record Voided(Hold hold, long availableAfter) implements SpendOutcome {
        public Voided {
            Objects.requireNonNull(hold, "hold");
        }
    }

    /**
     * The REVERSAL entry. Allocations are positive: for a redeem's reversal the points restored
     * to each lot (entry positive); for an earn's reversal the points taken from its lot (entry
     * negative). {@code changedLots} are those lots after the change.
     */
    record Reversed(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after)
            implements SpendOutcome {
        public Reversed {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
        }
    }

    /**
     * Both sides of a transfer, to be written in ONE database transaction: the sender's
     * TRANSFER_OUT entry and lots after, the receiver's TRANSFER_IN entry and new lots (one per
     * sender allocation, in the same order, with the sender lot's type, earnedAt and expiresAt).
     */
    record Transferred(LedgerEntry out, List<Allocation> outAllocations, List<Lot> changedSenderLots,
                       AccountState senderAfter, LedgerEntry in, List<Lot> newReceiverLots,
                       AccountState receiverAfter) implements SpendOutcome {
        public Transferred {
            Objects.requireNonNull(out, "out");
            outAllocations = List.copyOf(outAllocations);
            changedSenderLots = List.copyOf(changedSenderLots);
            Objects.requireNonNull(senderAfter, "senderAfter");
            Objects.requireNonNull(in, "in");
            newReceiverLots = List.copyOf(newReceiverLots);
            Objects.requireNonNull(receiverAfter, "receiverAfter");
        }
    }

    /**
     * The member's one EXPIRE entry for this sweep, the points zeroed per lot, the lots after
     * (remaining 0), and the holds to store as EXPIRED.
     */
    record Expired(LedgerEntry entry, List<Allocation> allocations, List<Lot> changedLots, AccountState after,
                   List<Hold> releasedHolds) implements SpendOutcome {
        public Expired {
            Objects.requireNonNull(entry, "entry");
            allocations = List.copyOf(allocations);
            changedLots = List.copyOf(changedLots);
            Objects.requireNonNull(after, "after");
            releasedHolds = List.copyOf(releasedHolds);
        }
    }

    /** No lot to expire: no entry. {@code releasedHolds} (maybe empty) are to be stored as EXPIRED. */
    record NothingToExpire(List<Hold> releasedHolds) implements SpendOutcome {
        public NothingToExpire {
            releasedHolds = List.copyOf(releasedHolds);
        }
    }

    /** Why a request was refused, in the API's terms. */
    sealed interface Rejected extends SpendOutcome, Refusal {
        String VALIDATION_FAILED = "VALIDATION_FAILED";
        String INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS";
        String HOLD_NOT_FOUND = "HOLD_NOT_FOUND";
        String HOLD_NOT_ACTIVE = "HOLD_NOT_ACTIVE";
        String TRANSACTION_NOT_FOUND = "TRANSACTION_NOT_FOUND";
        String NOT_REVERSIBLE = "NOT_REVERSIBLE";
    }

    record InvalidPoints(long points) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must be between " + Points.MIN_PER_OPERATION + " and " + Points.MAX_PER_OPERATION;
        }
    }

    record InvalidReference(String reference) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "reference"; }
        public String message() {
            return "reference must be 1.." + Limits.REFERENCE_MAX_LENGTH
                    + " printable ASCII characters without spaces";
        }
    }

    /** {@code length} is the description's length in chars; it may be in range when a control character was the problem. */
    record InvalidDescription(int length) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "description"; }
        public String message() {
            return "description must be at most " + Limits.DESCRIPTION_MAX_LENGTH
                    + " characters with no control characters";
        }
    }

    /** A reversal's {@code reason}: the same rule as a description, reported on its own field. */
    record InvalidReason(int length) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "reason"; }
        public String message() {
            return "reason must be at most " + Limits.DESCRIPTION_MAX_LENGTH
                    + " characters with no control characters";
        }
    }

    record InvalidTtl(long ttlSeconds) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "ttlSeconds"; }
        public String message() {
            return "ttlSeconds must be between " + Hold.HOLD_TTL_SECONDS_MIN + " and " + Hold.HOLD_TTL_SECONDS_MAX;
        }
    }

    /** {@code available} is what the member could spend for this request (the API's `available`). */
    record InsufficientPoints(long requested, long available) implements Rejected {
        public String code() { return INSUFFICIENT_POINTS; }
        public String field() { return "points"; }
        public String message() {
            return "only " + available + " points are available";
        }
    }

    record HoldNotFound(UUID holdId) implements Rejected {
        public String code() { return HOLD_NOT_FOUND; }
        public String field() { return "holdId"; }
        public String message() {
            return "no such hold for this member";
        }
    }

    /** {@code status} is the hold's status as of now: a HELD hold past its expiry reports EXPIRED. */
    record HoldNotActive(UUID holdId, HoldStatus status) implements Rejected {
        public String code() { return HOLD_NOT_ACTIVE; }
        public String field() { return "holdId"; }
        public String message() {
            return "hold is " + status + ", not HELD";
        }
    }

    record CaptureExceedsHold(long requested, long held) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must not exceed the " + held + " points held";
        }
    }

    record TransactionNotFound(UUID id) implements Rejected {
        public String code() { return TRANSACTION_NOT_FOUND; }
        public String field() { return "transactionId"; }
        public String message() {
            return "no such transaction for this member";
        }
    }

    /** {@code reversible} is how much of the transaction can still be reversed (the API's amount). */
    record NotReversible(long requested, long reversible) implements Rejected {
        public String code() { return NOT_REVERSIBLE; }
        public String field() { return "points"; }
        public String message() {
            return reversible == 0 ? "this transaction cannot be reversed"
                    : "only " + reversible + " points of this transaction can be reversed";
        }
    }

    record SelfTransfer() implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "toMemberId"; }
        public String message() {
            return "toMemberId must be another member";
        }
    }

    record InvalidMemberId(String memberId) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "toMemberId"; }
        public String message() {
            return "toMemberId must be 1.." + MemberId.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : -";
        }
    }

    /**
     * Crediting {@code points} would overflow the 64-bit balance. Unreachable with sane data
     * (it takes over 9 billion maximal earns); checked so it is a refusal, not an exception.
     */
    record BalanceOverflow(long balance, long points) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points would overflow the account balance";
        }
    }
}
