package dev.loyalty.core.idempotency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdempotencyRulesTest {
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    static IdempotencyRecord record(IdempotencyRecord.Status status, String hash, long expiresOffsetSeconds,
                                    long inProgressOffsetMs) {
        return new IdempotencyRecord("k", status, hash,
                status == IdempotencyRecord.Status.COMPLETED ? new IdempotencyRecord.StoredResponse(201, "{\"a\":1}") : null,
                NOW.getEpochSecond() + expiresOffsetSeconds, NOW.toEpochMilli() + inProgressOffsetMs);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "record expired a second ago,       COMPLETED,   -1,   60000, true",
            "record expires exactly now,        COMPLETED,    0,   60000, false",
            "completed and in-progress time past, COMPLETED, 3600,  -60000, false",
            "in progress past its expiry,       IN_PROGRESS, 3600,   -1,  true",
            "in progress expiring exactly now,  IN_PROGRESS, 3600,    0,  false",
            "in progress and live,              IN_PROGRESS, 3600, 60000, false",
            "in progress and whole record expired, IN_PROGRESS,   -1, 60000, true",
    })
    void claimableBoundaries(String name, IdempotencyRecord.Status status, long expiresOffsetSeconds,
                             long inProgressOffsetMs, boolean claimable) {
        assertEquals(claimable, IdempotencyRules.claimable(record(status, "h", expiresOffsetSeconds, inProgressOffsetMs), NOW));
    }

    @Test
    void noRecordIsClaimable() {
        assertTrue(IdempotencyRules.claimable(null, NOW));
    }

    @Test
    void duplicatesInPrecedenceOrder() {
        // A different payload wins over "in progress" and over "completed".
        assertInstanceOf(IdempotencyRules.Duplicate.KeyReusedWithDifferentPayload.class,
                IdempotencyRules.onDuplicate(record(IdempotencyRecord.Status.IN_PROGRESS, "h1", 3600, 5000), "h2", NOW));
        assertInstanceOf(IdempotencyRules.Duplicate.KeyReusedWithDifferentPayload.class,
                IdempotencyRules.onDuplicate(record(IdempotencyRecord.Status.COMPLETED, "h1", 3600, 0), "h2", NOW));
        IdempotencyRules.Duplicate replay = IdempotencyRules.onDuplicate(
                record(IdempotencyRecord.Status.COMPLETED, "h", 3600, 0), "h", NOW);
        assertEquals(new IdempotencyRules.Duplicate.Replay(new IdempotencyRecord.StoredResponse(201, "{\"a\":1}")), replay);
    }

    @ParameterizedTest
    @CsvSource({"5000, 5", "4001, 5", "1, 1", "0, 1", "-5, 1", "60000, 60"})
    void retryAfterIsTheClaimsRemainingLifeRoundedUpAndAtLeastOneSecond(long inProgressOffsetMs, long seconds) {
        IdempotencyRecord running = record(IdempotencyRecord.Status.IN_PROGRESS, "h", 3600, inProgressOffsetMs);
        assertEquals(new IdempotencyRules.Duplicate.InProgress(seconds), IdempotencyRules.onDuplicate(running, "h", NOW));
    }

    @Test
    void inMemoryStoreFollowsTheSameRules() {
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        long ip = NOW.toEpochMilli() + 1000;
        long exp = NOW.getEpochSecond() + 60;
        IdempotencyStore.Claim first = store.claim("k", "h", NOW, ip, exp);
        IdempotencyRecord claimed = assertInstanceOf(IdempotencyStore.Claim.Claimed.class, first).record();
        assertInstanceOf(IdempotencyStore.Claim.Existing.class, store.claim("k", "h", NOW, ip, exp));
        // Past the in-progress expiry a new claim takes over; the old owner can no longer complete.
        Instant later = NOW.plusMillis(1001);
        IdempotencyStore.Claim takeover = store.claim("k", "h", later, later.toEpochMilli() + 1000, exp);
        assertInstanceOf(IdempotencyStore.Claim.Claimed.class, takeover);
        store.complete(claimed, new IdempotencyRecord.StoredResponse(201, "{}"), exp);
        assertEquals(IdempotencyRecord.Status.IN_PROGRESS, store.get("k").status(), "a stale owner cannot complete");
        IdempotencyRecord current = ((IdempotencyStore.Claim.Claimed) takeover).record();
        store.complete(current, new IdempotencyRecord.StoredResponse(201, "{}"), exp);
        assertEquals(IdempotencyRecord.Status.COMPLETED, store.get("k").status());
        store.release(current);
        assertEquals(IdempotencyRecord.Status.COMPLETED, store.get("k").status(), "a completed record is never released");
        store.setUnavailable(true);
        org.junit.jupiter.api.Assertions.assertThrows(IdempotencyStoreUnavailableException.class,
                () -> store.claim("k2", "h", NOW, ip, exp));
    }
}
