package dev.loyalty.core.idempotency;

import java.time.Instant;

/**
 * The port to the idempotency table. Adapters: DynamoDB (functions), in memory (tests).
 * Every method either does what it says or throws {@link IdempotencyStoreUnavailableException};
 * a caller that sees that exception must not apply the write.
 */
public interface IdempotencyStore {

    /** The outcome of a claim. */
    sealed interface Claim {
        /** This caller owns the key now (an IN_PROGRESS record was written). */
        record Claimed(IdempotencyRecord record) implements Claim {
        }

        /** A live record exists (returned by the failed conditional write itself where the store can). */
        record Existing(IdempotencyRecord record) implements Claim {
        }
    }

    /**
     * Writes an IN_PROGRESS record in ONE conditional write that succeeds only when
     * {@link IdempotencyRules#claimable} holds for the current record.
     */
    Claim claim(String key, String requestHash, Instant now, long inProgressExpiresAtEpochMilli, long expiresAtEpochSecond);

    /** Marks the claim COMPLETED with its answer. A claim taken over meanwhile is left alone. */
    void complete(IdempotencyRecord claimed, IdempotencyRecord.StoredResponse response, long expiresAtEpochSecond);

    /** Releases the claim (after a 5xx), so a retry runs again. A claim taken over meanwhile is left alone. */
    void release(IdempotencyRecord claimed);
}
