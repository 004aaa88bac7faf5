package dev.loyalty.core.simulation;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The system a {@link Simulation} checks, driven the way the API drives it: raw member ids,
 * amounts and references as a client sends them, and the time each request arrives at.
 *
 * <p>Implementations answer every request with an {@link OpResult} instead of throwing: a
 * refusal is a result with the API's error code. An exception means a bug and fails the run.
 * Checks go in the API's order: input validation (VALIDATION_FAILED; for earn
 * UNKNOWN_POINT_TYPE after points), then MEMBER_NOT_FOUND (for a transfer the sender, then the
 * receiver), then the state rules (HOLD_NOT_FOUND, HOLD_NOT_ACTIVE, TRANSACTION_NOT_FOUND,
 * NOT_REVERSIBLE, INSUFFICIENT_POINTS). A hold or transaction of another member is not found.
 *
 * <p>Ids are the implementation's own: the simulation maps them by operation (the hold placed
 * at step n, the entry with sequence k of member m), never assumes two implementations agree.
 * A reference the simulation sends is new per (member, kind) except in a retry: the same request
 * again (answered as the original: ok with the original's id, nothing written) or a changed one
 * (REFERENCE_ALREADY_USED, nothing written), checked after input validation and the member's
 * existence and before every state rule. A capture of a captured hold is a retry of its capture
 * (same amount: the original entry), a void of a voided hold a retry of its void. EXPIRE entries
 * use "expire:" + now's epoch second, and the simulation never sweeps twice in one second.
 *
 * <p>Time never goes backwards between calls. Each simulation run uses member ids prefixed with
 * its seed, so many runs can share one database.
 */
public interface LedgerUnderTest {

    /** Credits a new lot; the member exists from its first earn. {@code id}: the EARN entry. */
    OpResult earn(String member, long points, String type, String reference, Instant now);

    /** {@code id}: the REDEEM entry. */
    OpResult redeem(String member, long points, String reference, Instant now);

    /** {@code ttlSeconds} null means the default (900). {@code id}: the hold. */
    OpResult hold(String member, long points, String reference, Long ttlSeconds, Instant now);

    /** {@code points} null means all of the hold. {@code id}: the REDEEM entry. */
    OpResult capture(String member, UUID holdId, Long points, Instant now);

    /** {@code id}: the hold. */
    OpResult voidHold(String member, UUID holdId, Instant now);

    /** {@code points} null means all that is reversible. {@code id}: the REVERSAL entry. */
    OpResult reverse(String member, UUID transactionId, Long points, String reference, Instant now);

    /** {@code id}: the sender's TRANSFER_OUT entry. */
    OpResult transfer(String from, String to, long points, String reference, Instant now);

    /**
     * An operator's correction: a credit (a new lot of {@code type}) or a debit (spending order).
     * {@code id}: the ADJUSTMENT entry.
     */
    OpResult adjust(String member, long points, String type, String reference, String reason, Instant now);

    /**
     * Closes the member's account: everything left is forfeited (one ADJUSTMENT entry, spending
     * order, expired lots included), active holds are voided, and every later write to the member
     * is ACCOUNT_CLOSED, checked after the member's existence and the reference rule. The same
     * closing again is ok. {@code id}: null.
     */
    OpResult close(String member, String reason, String reference, Instant now);

    /** The expiry sweep over every member. Always ok, {@code id} null. */
    OpResult expire(Instant now);

    /** The reward every run defines once, before its first step: cost per unit, initial stock, per-member limit. */
    long REWARD_COST = 40;
    long REWARD_STOCK = 6;
    int REWARD_LIMIT = 3;

    /** Creates the run's reward ({@link #REWARD_COST}, {@link #REWARD_STOCK}, {@link #REWARD_LIMIT}). */
    void defineReward(String rewardId, Instant now);

    /**
     * A redemption (contract Part 2), checks in the API's order: input (VALIDATION_FAILED),
     * MEMBER_NOT_FOUND, the reference (redeems, holds and redemptions share one namespace),
     * REWARD_NOT_FOUND, REDEMPTION_LIMIT_REACHED, OUT_OF_STOCK, INSUFFICIENT_POINTS.
     * {@code id}: the redemption.
     */
    OpResult redeemReward(String member, String rewardId, Integer quantity, String reference, Instant now);

    /** Fulfils (fulfilmentRef none) a PENDING redemption; the same fulfil again is ok. {@code id}: the redemption. */
    OpResult fulfil(String member, UUID redemptionId, Instant now);

    /** Cancels (reason "sim") a PENDING redemption; the same cancel again is ok. {@code id}: the redemption. */
    OpResult cancelRedemption(String member, UUID redemptionId, Instant now);

    /** The reward's stock left. */
    long rewardStock(String rewardId);

    /**
     * Days a purchase's award stays pending: the simulation's one rule, which every implementation
     * applies to {@link #purchase} (contract Part 2, {@code pendingDays}).
     */
    int PENDING_DAYS = 2;
    /** The simulation's one rule: a purchase earns 1 PURCHASE point per this many minor units. */
    long PER_AMOUNT = 100;

    /**
     * A business event {@code purchase} of {@code amount} minor units under the simulation's one
     * rule: one award of {@code floor(amount / 100)} PURCHASE points, pending {@link #PENDING_DAYS}
     * (to the end of that UTC day after now). Checks: input (VALIDATION_FAILED), the reference
     * (purchases and returns share one namespace), ACCOUNT_CLOSED. The member exists from it.
     * {@code id}: the award's EARN entry (the workload's amounts always earn).
     */
    OpResult purchase(String member, long amount, String reference, Instant now);

    /**
     * A return (contract Part 2, "Returns") of {@code amount} minor units (null: all not yet
     * returned) of the purchase {@code originalReference}. Checks: input (VALIDATION_FAILED), the
     * reference, ACCOUNT_CLOSED, EVENT_NOT_FOUND (no such purchase of this member, or no member),
     * RETURN_EXCEEDS_PURCHASE (with what is returnable as {@code available}). {@code id}: the
     * award's RETURN entry, null when nothing could be taken (all shortfall).
     */
    OpResult returnPurchase(String member, String originalReference, Long amount, String reference, Instant now);

    /** The member as stored, read at {@code now}; {@link Snapshot#absent} for an unknown member. */
    Snapshot snapshot(String member, Instant now);

    /**
     * A member's qualifying points and tier as read at some instant, and its tier history (what
     * was recorded and what the read rolls forward), each change "FROM>TO:REASON@at".
     */
    record TierReading(long qualifyingPoints, String tier, List<String> history) {
        public TierReading {
            history = List.copyOf(history);
        }

        public static String change(String from, String to, String reason, Instant at) {
            return from + ">" + to + ":" + reason + "@" + at;
        }
    }

    /**
     * The tier set this system runs with for the whole run (program time zone UTC), or null when
     * it does not rank members (the simulation then checks no tiers).
     */
    default dev.loyalty.core.tiers.TierSet tierSet() {
        return null;
    }

    /** The member's qualifying points and tier at {@code now} (a member that exists); only asked when {@link #tierSet} is not null. */
    default TierReading tier(String member, Instant now) {
        throw new UnsupportedOperationException("this system does not rank members");
    }
}
