package dev.loyalty.core.idempotency;

import java.util.Objects;

/**
 * What the idempotency table holds for one scoped key.
 *
 * @param key                           the scoped key (caller + route + Idempotency-Key, or member + reference)
 * @param status                        IN_PROGRESS while the first request runs, COMPLETED once answered
 * @param requestHash                   SHA-256 of the canonical request, to tell a retry from a reuse
 * @param response                      the stored answer; null while IN_PROGRESS
 * @param expiresAtEpochSecond          when the record stops counting (the table's TTL attribute; seconds, as DynamoDB TTL wants)
 * @param inProgressExpiresAtEpochMilli when an IN_PROGRESS claim is presumed dead (its Lambda timed out or crashed)
 */
public record IdempotencyRecord(String key, Status status, String requestHash, StoredResponse response,
                                long expiresAtEpochSecond, long inProgressExpiresAtEpochMilli) {

    public enum Status { IN_PROGRESS, COMPLETED }

    /** A stored answer: replayed verbatim, status and body. */
    public record StoredResponse(int statusCode, String body) {
        public StoredResponse {
            if (statusCode < 200 || statusCode > 499) {
                throw new IllegalArgumentException("only 2xx and 4xx answers are stored, got " + statusCode);
            }
            Objects.requireNonNull(body, "body");
        }
    }

    public IdempotencyRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestHash, "requestHash");
        if (status == Status.COMPLETED && response == null) {
            throw new IllegalArgumentException("a COMPLETED record carries its response");
        }
    }
}
