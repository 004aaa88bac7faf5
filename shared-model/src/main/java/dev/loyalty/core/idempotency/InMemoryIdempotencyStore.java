package dev.loyalty.core.idempotency;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory adapter with the same conditional semantics as the DynamoDB one, for tests. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final Map<String, IdempotencyRecord> records = new ConcurrentHashMap<>();
    private volatile boolean unavailable;

    /** Makes every call fail as if the table were down (for tests of the 503 path). */
    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    public IdempotencyRecord get(String key) {
        return records.get(key);
    }

    public void delete(String key) {
        records.remove(key);
    }

    public void put(IdempotencyRecord record) {
        records.put(record.key(), record);
    }

    @Override
    public Claim claim(String key, String requestHash, Instant now, long inProgressExpiresAtEpochMilli,
                       long expiresAtEpochSecond) {
        check();
        IdempotencyRecord fresh = new IdempotencyRecord(key, IdempotencyRecord.Status.IN_PROGRESS, requestHash, null,
                expiresAtEpochSecond, inProgressExpiresAtEpochMilli);
        IdempotencyRecord[] existing = new IdempotencyRecord[1];
        records.compute(key, (k, current) -> {
            if (IdempotencyRules.claimable(current, now)) {
                return fresh;
            }
            existing[0] = current;
            return current;
        });
        return existing[0] == null ? new Claim.Claimed(fresh) : new Claim.Existing(existing[0]);
    }

    @Override
    public void complete(IdempotencyRecord claimed, IdempotencyRecord.StoredResponse response, long expiresAtEpochSecond) {
        check();
        records.computeIfPresent(claimed.key(), (k, current) -> sameClaim(current, claimed)
                ? new IdempotencyRecord(k, IdempotencyRecord.Status.COMPLETED, current.requestHash(), response,
                expiresAtEpochSecond, current.inProgressExpiresAtEpochMilli())
                : current);
    }

    @Override
    public void release(IdempotencyRecord claimed) {
        check();
        records.computeIfPresent(claimed.key(), (k, current) -> sameClaim(current, claimed) ? null : current);
    }

    private static boolean sameClaim(IdempotencyRecord current, IdempotencyRecord claimed) {
        return current.status() == IdempotencyRecord.Status.IN_PROGRESS
                && current.requestHash().equals(claimed.requestHash())
                && current.inProgressExpiresAtEpochMilli() == claimed.inProgressExpiresAtEpochMilli();
    }

    private void check() {
        if (unavailable) {
            throw new IdempotencyStoreUnavailableException("in-memory store set unavailable", null);
        }
    }
}
