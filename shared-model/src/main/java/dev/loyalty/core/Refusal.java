package dev.loyalty.core;

import dev.loyalty.core.spend.Hold;
import dev.loyalty.core.spend.HoldStatus;

import java.time.Instant;
import java.util.UUID;

/**
 * Every reason a rule refuses a request, defined once for every rule family (earn, spend,
 * adjust, the reference rule), in the API's terms. Outcomes wrap one of these in their
 * {@code Refused} case; the boundary maps {@link #code()} to a status and problem+json in one
 * place, and reads the extra amounts ({@code available}, {@code reversible},
 * {@code transactionId}) off the record.
 *
 * <p>Messages never echo the rejected value: it is untrusted and may be huge or contain markup.
 */
public sealed interface Refusal {
    String VALIDATION_FAILED = "VALIDATION_FAILED";
    String UNKNOWN_POINT_TYPE = "UNKNOWN_POINT_TYPE";
    String INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS";
    String MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND";
    String HOLD_NOT_FOUND = "HOLD_NOT_FOUND";
    String HOLD_NOT_ACTIVE = "HOLD_NOT_ACTIVE";
    String TRANSACTION_NOT_FOUND = "TRANSACTION_NOT_FOUND";
    String NOT_REVERSIBLE = "NOT_REVERSIBLE";
    String REFERENCE_ALREADY_USED = "REFERENCE_ALREADY_USED";
    String ACCOUNT_CLOSED = "ACCOUNT_CLOSED";
    String RULES_VERSION_CONFLICT = "RULES_VERSION_CONFLICT";
    String OUT_OF_STOCK = "OUT_OF_STOCK";
    String REWARD_NOT_FOUND = "REWARD_NOT_FOUND";
    String REWARD_INACTIVE = "REWARD_INACTIVE";
    String REDEMPTION_LIMIT_REACHED = "REDEMPTION_LIMIT_REACHED";
    String REDEMPTION_NOT_FOUND = "REDEMPTION_NOT_FOUND";
    String REDEMPTION_NOT_PENDING = "REDEMPTION_NOT_PENDING";
    String EVENT_NOT_FOUND = "EVENT_NOT_FOUND";
    String RETURN_EXCEEDS_PURCHASE = "RETURN_EXCEEDS_PURCHASE";

    /** API error code, e.g. VALIDATION_FAILED or INSUFFICIENT_POINTS. */
    String code();

    /** JSON field name of the offending input. */
    String field();

    /** Human-readable explanation; never echoes the rejected value. */
    String message();

    /** {@code field} is memberId or toMemberId. */
    record InvalidMemberId(String field, String memberId) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String message() {
            return field + " must be 1.." + MemberId.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : -, not . or ..";
        }
    }

    record InvalidPoints(long points) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must be between " + Points.MIN_PER_OPERATION + " and " + Points.MAX_PER_OPERATION;
        }
    }

    /** An adjustment's signed amount: non-zero, at most the per-operation maximum either way. */
    record InvalidAdjustmentPoints(long points) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must be a non-zero whole number of at most " + Points.MAX_PER_OPERATION + " either way";
        }
    }

    /** Also used when the type is missing or blank, with a message saying so. */
    record UnknownPointType(String type) implements Refusal {
        public String code() { return UNKNOWN_POINT_TYPE; }
        public String field() { return "type"; }
        public String message() {
            return type == null || type.isBlank() ? "type is required" : "type is not a known point type";
        }
    }

    record InvalidReference(String reference) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "reference"; }
        public String message() {
            return "reference must be 1.." + Limits.REFERENCE_MAX_LENGTH + " printable ASCII characters without spaces";
        }
    }

    /** {@code latestAllowed} is now plus the tolerated clock skew. */
    record OccurredInFuture(Instant occurredAt, Instant latestAllowed) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "occurredAt"; }
        public String message() {
            return "occurredAt must not be more than " + Limits.FUTURE_SKEW_SECONDS + " seconds in the future";
        }
    }

    record OccurredTooLongAgo(Instant occurredAt, Instant earliestAllowed) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "occurredAt"; }
        public String message() {
            return "occurredAt must not be before " + earliestAllowed;
        }
    }

    /**
     * A free-text field (description, reason) that is too long or has control characters;
     * {@code length} may be in range when a control character was the problem. {@code required}
     * says the field may not be missing (an adjustment's reason).
     */
    record InvalidText(String field, int length, boolean required) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String message() {
            return field + (required ? " is required, " : " must be ") + "at most " + Limits.DESCRIPTION_MAX_LENGTH
                    + " characters with no control characters";
        }
    }

    /** An earn's explicit lot expiry that is not after its occurredAt, or too far after it. */
    record InvalidExpiresAt(Instant expiresAt, Instant occurredAt) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "expiresAt"; }
        public String message() {
            return "expiresAt must be after occurredAt and at most " + Limits.EXPIRES_AFTER_DAYS_MAX + " days after it";
        }
    }

    record InvalidTtl(long ttlSeconds) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "ttlSeconds"; }
        public String message() {
            return "ttlSeconds must be between " + Hold.HOLD_TTL_SECONDS_MIN + " and " + Hold.HOLD_TTL_SECONDS_MAX;
        }
    }

    /** {@code available} is what the member could spend for this request (the API's `available`). */
    record InsufficientPoints(long requested, long available) implements Refusal {
        public String code() { return INSUFFICIENT_POINTS; }
        public String field() { return "points"; }
        public String message() {
            return "only " + available + " points are available";
        }
    }

    record MemberNotFound(MemberId memberId) implements Refusal {
        public String code() { return MEMBER_NOT_FOUND; }
        public String field() { return "memberId"; }
        public String message() {
            return "member " + memberId + " has no account";
        }
    }

    record HoldNotFound(UUID holdId) implements Refusal {
        public String code() { return HOLD_NOT_FOUND; }
        public String field() { return "holdId"; }
        public String message() {
            return "no such hold for this member";
        }
    }

    /** {@code status} is the hold's status as of now: a HELD hold past its expiry reports EXPIRED. */
    record HoldNotActive(UUID holdId, HoldStatus status) implements Refusal {
        public String code() { return HOLD_NOT_ACTIVE; }
        public String field() { return "holdId"; }
        public String message() {
            return "hold is " + status + ", not HELD";
        }
    }

    record CaptureExceedsHold(long requested, long held) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points must not exceed the " + held + " points held";
        }
    }

    record TransactionNotFound(UUID id) implements Refusal {
        public String code() { return TRANSACTION_NOT_FOUND; }
        public String field() { return "transactionId"; }
        public String message() {
            return "no such transaction for this member";
        }
    }

    /** {@code reversible} is how much of the transaction can still be reversed (the API's amount). */
    record NotReversible(long requested, long reversible) implements Refusal {
        public String code() { return NOT_REVERSIBLE; }
        public String field() { return "points"; }
        public String message() {
            return reversible == 0 ? "this transaction cannot be reversed"
                    : "only " + reversible + " points of this transaction can be reversed";
        }
    }

    record SelfTransfer() implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "toMemberId"; }
        public String message() {
            return "toMemberId must be another member";
        }
    }

    /**
     * Crediting {@code points} would overflow the 64-bit balance. Unreachable with sane data
     * (it takes over 9 billion maximal earns); checked so it is a refusal, not an exception.
     */
    record BalanceOverflow(long balance, long points) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "points"; }
        public String message() {
            return "points would overflow the account balance";
        }
    }

    /**
     * The member already used this reference for a write of the same kind with a different
     * request (see {@link dev.loyalty.core.reference.ReferenceRule}). {@code transactionId} is
     * the original entry, or null when the original is a hold (then {@code holdId} names it).
     */
    record ReferenceAlreadyUsed(UUID transactionId, UUID holdId) implements Refusal {
        public String code() { return REFERENCE_ALREADY_USED; }
        public String field() { return "reference"; }
        public String message() {
            return "this reference was already used by a different request of this member";
        }
    }

    /** The member's account was closed: reads still work, writes are refused. */
    record AccountClosed(MemberId memberId, Instant closedAt) implements Refusal {
        public String code() { return ACCOUNT_CLOSED; }
        public String field() { return "memberId"; }
        public String message() {
            return "the account of " + memberId + " was closed at " + closedAt + "; it takes no more writes";
        }
    }

    // ---- program rules (business events, rule sets)

    /**
     * A field of a business event fails its bound; {@code reason} is a fixed text naming the
     * bound (never the value).
     */
    record InvalidEventField(String field, String reason) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String message() { return reason; }
    }

    /** No rule of the rule set in force at the event's occurredAt handles this event name (a typo is refused, not silently recorded). */
    record UnknownEvent(long rulesVersion) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "event"; }
        public String message() {
            return "no rule of rule set version " + rulesVersion + " (in force at occurredAt) handles this event";
        }
    }

    /** A matching rule awards per amount and the event has none. */
    record AmountRequired(String ruleId) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "amount"; }
        public String message() { return "rule " + ruleId + " awards per amount: amount is required"; }
    }

    /** One rule's award would exceed what one operation may move. */
    record AwardTooLarge(String ruleId) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "amount"; }
        public String message() {
            return "the award of rule " + ruleId + " would exceed " + Points.MAX_PER_OPERATION + " points";
        }
    }

    /** A rule set document with errors, each pointing at its path; nothing is published. */
    record InvalidRuleSet(java.util.List<dev.loyalty.core.rules.RuleSetError> errors) implements Refusal {
        public InvalidRuleSet {
            errors = java.util.List.copyOf(errors);
        }
        public String code() { return VALIDATION_FAILED; }
        public String field() { return errors.isEmpty() ? "rules" : errors.get(0).path(); }
        public String message() { return "the rule set has " + errors.size() + " error(s); nothing was published"; }
    }

    /** A tier set document with errors, each pointing at its path; nothing is published. */
    record InvalidTierSet(java.util.List<dev.loyalty.core.tiers.TierSetError> errors) implements Refusal {
        public InvalidTierSet {
            errors = java.util.List.copyOf(errors);
        }
        public String code() { return VALIDATION_FAILED; }
        public String field() { return errors.isEmpty() ? "tiers" : errors.get(0).path(); }
        public String message() { return "the tier set has " + errors.size() + " error(s); nothing was published"; }
    }

    /** A version may not take effect before the latest published one: versions are in effectiveFrom order. */
    record RulesVersionConflict(Instant latestEffectiveFrom) implements Refusal {
        public String code() { return RULES_VERSION_CONFLICT; }
        public String field() { return "effectiveFrom"; }
        public String message() {
            return "effectiveFrom must not be before the latest version's (" + latestEffectiveFrom + ")";
        }
    }

    // ---- rewards and redemptions

    /** A redemption's quantity outside 1..100, or one whose total cost exceeds what one operation may move. */
    record InvalidQuantity(long quantity, String reason) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String field() { return "quantity"; }
        public String message() { return reason; }
    }

    /** A reward definition or stock change field that fails its bound; {@code reason} names the bound. */
    record InvalidRewardField(String field, String reason) implements Refusal {
        public String code() { return VALIDATION_FAILED; }
        public String message() { return reason; }
    }

    /** Fewer units left than asked; {@code stock} is what is left (the API's {@code stock}). */
    record OutOfStock(String rewardId, long requested, long stock) implements Refusal {
        public String code() { return OUT_OF_STOCK; }
        public String field() { return "quantity"; }
        public String message() { return "only " + stock + " unit(s) of this reward are left"; }
    }

    record RewardNotFound(String rewardId) implements Refusal {
        public String code() { return REWARD_NOT_FOUND; }
        public String field() { return "rewardId"; }
        public String message() { return "no such reward"; }
    }

    record RewardInactive(String rewardId) implements Refusal {
        public String code() { return REWARD_INACTIVE; }
        public String field() { return "rewardId"; }
        public String message() { return "this reward is not active"; }
    }

    /** {@code limit} units per member (PENDING and FULFILLED count); {@code used} of them are taken. */
    record RedemptionLimitReached(long limit, long used) implements Refusal {
        public String code() { return REDEMPTION_LIMIT_REACHED; }
        public String field() { return "quantity"; }
        public String message() { return "at most " + limit + " unit(s) per member; " + used + " already redeemed"; }
    }

    record RedemptionNotFound(UUID redemptionId) implements Refusal {
        public String code() { return REDEMPTION_NOT_FOUND; }
        public String field() { return "redemptionId"; }
        public String message() { return "no such redemption for this member"; }
    }

    /** Fulfil and cancel are only allowed from PENDING; {@code status} is where it is. */
    record RedemptionNotPending(UUID redemptionId, dev.loyalty.core.spend.RedemptionStatus status) implements Refusal {
        public String code() { return REDEMPTION_NOT_PENDING; }
        public String field() { return "redemptionId"; }
        public String message() { return "redemption is " + status + ", not PENDING"; }
    }

    // ---- returns

    /** A return names an originalReference that is no purchase (business event) of this member. */
    record EventNotFound(String originalReference) implements Refusal {
        public String code() { return EVENT_NOT_FOUND; }
        public String field() { return "originalReference"; }
        public String message() { return "no business event of this member has this reference"; }
    }

    /**
     * A return of more than is left of the purchase; {@code returnable} is what may still be
     * returned (the API's {@code returnable}, in minor units), 0 once it is all returned.
     */
    record ReturnExceedsPurchase(long requested, long returnable) implements Refusal {
        public String code() { return RETURN_EXCEEDS_PURCHASE; }
        public String field() { return "amount"; }
        public String message() {
            return returnable == 0 ? "the purchase has been returned in full"
                    : "only " + returnable + " of the purchase amount can still be returned";
        }
    }
}
