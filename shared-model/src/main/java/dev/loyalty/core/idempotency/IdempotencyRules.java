package dev.loyalty.core.idempotency;

import java.time.Instant;

/**
 * The rules of the idempotency layer as pure functions of (record, request, now). The DynamoDB
 * adapter's condition expression is the same predicate as {@link #claimable}; both sides are
 * table-tested at their boundaries.
 */
public final class IdempotencyRules {
    private IdempotencyRules() {
    }

    /**
     * A key can be claimed when there is no record, the record has expired, or it is IN_PROGRESS
     * past its in-progress expiry. Boundaries: a record whose expiry equals now still counts
     * (strictly less than now is expired), in both clocks.
     */
    public static boolean claimable(IdempotencyRecord existing, Instant now) {
        if (existing == null) {
            return true;
        }
        if (existing.expiresAtEpochSecond() < now.getEpochSecond()) {
            return true;
        }
        return existing.status() == IdempotencyRecord.Status.IN_PROGRESS
                && existing.inProgressExpiresAtEpochMilli() < now.toEpochMilli();
    }

    /** What to answer when a claim found a live record. */
    public sealed interface Duplicate {
        /** The same request, already answered: replay the stored answer. */
        record Replay(IdempotencyRecord.StoredResponse response) implements Duplicate {
        }

        /** The same key with a different request: 422 IDEMPOTENCY_KEY_REUSED. */
        record KeyReusedWithDifferentPayload() implements Duplicate {
        }

        /** The first request is still running: 409 IDEMPOTENCY_IN_PROGRESS, retry after the given seconds. */
        record InProgress(long retryAfterSeconds) implements Duplicate {
        }
    }

    /**
     * Decides on a live (not claimable) record. The payload check comes first: a different
     * request under the same key is refused even while the first one still runs.
     */
    public static Duplicate onDuplicate(IdempotencyRecord existing, String requestHash, Instant now) {
        if (!existing.requestHash().equals(requestHash)) {
            return new Duplicate.KeyReusedWithDifferentPayload();
        }
        if (existing.status() == IdempotencyRecord.Status.COMPLETED) {
            return new Duplicate.Replay(existing.response());
        }
        long waitMs = Math.max(0, existing.inProgressExpiresAtEpochMilli() - now.toEpochMilli());
        // Ask for at least 1 s and at most the claim's remaining life, rounded up.
        return new Duplicate.InProgress(Math.max(1, (waitMs + 999) / 1000));
    }
}
