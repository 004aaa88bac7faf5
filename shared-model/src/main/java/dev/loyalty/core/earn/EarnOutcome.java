package dev.loyalty.core.earn;

import dev.loyalty.core.Refusal;
import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Limits;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of an earn: {@link Earned} or one {@link Rejected} reason.
 * The rejection records are declared here (not inside {@link Rejected}) so both
 * {@code EarnOutcome.InvalidPoints} and {@code EarnOutcome.Rejected.InvalidPoints} name them.
 * Messages never echo the rejected value: it is untrusted and may be huge or contain markup.
 */
public sealed interface EarnOutcome {

    /** The entry to append, the lot to create, and the account state after both. */
    record Earned(LedgerEntry entry, Lot lot, AccountState after) implements EarnOutcome {
        public Earned {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(lot, "lot");
            Objects.requireNonNull(after, "after");
        }
    }

    /** Why an earn was refused, in the API's terms. */
    sealed interface Rejected extends EarnOutcome, Refusal {
        String VALIDATION_FAILED = "VALIDATION_FAILED";
        String UNKNOWN_POINT_TYPE = "UNKNOWN_POINT_TYPE";
    }

    record InvalidMemberId(String memberId) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "memberId"; }
        public String message() {
            return "memberId must be 1.." + MemberId.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : -";
        }
    }

    record InvalidPoints(long points) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must be between " + Points.MIN_PER_OPERATION + " and " + Points.MAX_PER_OPERATION;
        }
    }

    /** Also used when the type is missing or blank, with a message saying so. */
    record UnknownPointType(String type) implements Rejected {
        public String code() { return UNKNOWN_POINT_TYPE; }
        public String field() { return "type"; }
        public String message() {
            return type == null || type.isBlank() ? "type is required" : "type is not a known point type";
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

    record OccurredInFuture(Instant occurredAt, Instant latestAllowed) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "occurredAt"; }
        public String message() {
            return "occurredAt must not be more than " + Limits.FUTURE_SKEW_SECONDS + " seconds in the future";
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

    record BalanceOverflow(long balance, long points) implements Rejected {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points would overflow the account balance";
        }
    }
}
