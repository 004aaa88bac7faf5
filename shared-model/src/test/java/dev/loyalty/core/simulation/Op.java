package dev.loyalty.core.simulation;

import java.time.Duration;

/**
 * One step of a workload. Holds and transactions are named by how the simulation knows them
 * (the index of the hold placed, the owner and sequence of the entry), never by an
 * implementation's id, so the same op can be applied to two implementations.
 */
sealed interface Op {

    /** Index meaning "an id that exists nowhere". */
    int UNKNOWN = -1;

    record Earn(String member, long points, String type, String reference) implements Op {
    }

    record Redeem(String member, long points, String reference) implements Op {
    }

    record PlaceHold(String member, long points, String reference, Long ttlSeconds) implements Op {
    }

    /** {@code hold}: index into the holds placed so far, or {@link #UNKNOWN}. */
    record Capture(String member, int hold, Long points) implements Op {
    }

    record Void(String member, int hold) implements Op {
    }

    /** The entry with {@code sequence} of {@code owner} ({@code sequence} 0: an unknown id). */
    record Reverse(String member, String owner, long sequence, Long points, String reference) implements Op {
    }

    record Transfer(String from, String to, long points, String reference) implements Op {
    }

    record Adjust(String member, long points, String type, String reference, String reason) implements Op {
    }

    /** Redeems {@code quantity} (null: 1) units of {@code rewardId} (the run's reward, or one that does not exist). */
    record RedeemReward(String member, String rewardId, Integer quantity, String reference) implements Op {
    }

    /** {@code redemption}: index into the redemptions made so far, or {@link #UNKNOWN}. */
    record Fulfil(String member, int redemption) implements Op {
    }

    record CancelRedemption(String member, int redemption) implements Op {
    }

    /**
     * A write sent again with the reference of the write applied at {@code originalStep}:
     * {@code op} is that write exactly ({@code changed} false: the original answer, same id) or
     * with one field that changes its effect ({@code changed}: REFERENCE_ALREADY_USED).
     */
    record Retry(Op op, boolean changed, int originalStep) implements Op {
    }

    /** A purchase business event under the simulation's one rule (pending points). */
    record Purchase(String member, long amount, String reference) implements Op {
    }

    /** A return of {@code amount} (null: the rest) of the purchase with {@code originalReference}. */
    record Return(String member, String originalReference, Long amount, String reference) implements Op {
    }

    record Close(String member, String reason, String reference) implements Op {
    }

    record Expire() implements Op {
    }

    /** Moves the clock; touches no ledger. */
    record Advance(Duration by) implements Op {
    }
}
