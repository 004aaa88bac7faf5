package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.core.idempotency.IdempotencyRecord;
import dev.loyalty.core.idempotency.IdempotencyRules;
import dev.loyalty.core.idempotency.IdempotencyStore;
import dev.loyalty.functions.earn.EarnFunction;
import dev.loyalty.functions.http.Caller;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.idempotency.DynamoDbIdempotencyStore;
import dev.loyalty.functions.idempotency.IdempotentWrites;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly-once earns: the DynamoDB claim (on a real DynamoDB-API server) plus the ledger's backstop. */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class EarnIdempotencyTest extends LedgerTestSupport {
    static final String PARTNER = "partner-coffee-co"; // the sample event's subject

    @Inject
    Db db;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    IdempotencyStore store;
    @Inject
    EarnFunction earnFunction;

    static String earnBody(long points, String reference) {
        return "{\"points\":" + points + ",\"type\":\"PURCHASE\",\"reference\":\"" + reference + "\"}";
    }

    long entries(String member) {
        return db.read(tx -> tx.query("SELECT count(*) FROM ledger_entries WHERE member_id = $1", member)
                .iterator().next().getLong(0));
    }

    static String scopedKey(String key) {
        return IdempotentWrites.apiKey(new Caller(PARTNER, Set.of()), ApiRoutes.EARN, key);
    }

    Map<String, AttributeValue> item(String key) {
        return dynamo.getItem(b -> b.tableName(DynamoResource.TABLE)
                .key(Map.of(DynamoDbIdempotencyStore.KEY, AttributeValue.fromS(scopedKey(key)))).consistentRead(true)).item();
    }

    void overwriteAsInProgress(String key, long inProgressExpiresAtEpochMilli) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(item(key));
        item.put("status", AttributeValue.fromS("IN_PROGRESS"));
        item.remove("responseStatus");
        item.remove("responseBody");
        item.put("inProgressExpiresAtEpochMilli", AttributeValue.fromN(Long.toString(inProgressExpiresAtEpochMilli)));
        dynamo.putItem(b -> b.tableName(DynamoResource.TABLE).item(item));
    }

    @Test
    void aRetryReplaysTheFirstAnswerWithTheReplayedHeader() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        JsonNode first = Lambda.invoke(ApiEvents.earn(member, earnBody(40, "r1"), key));
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        assertTrue(ApiEvents.headers(first).get(IdempotentWrites.REPLAYED_HEADER) == null);
        // Same request re-serialised with another key order and spacing: still the same request.
        JsonNode retry = Lambda.invoke(ApiEvents.earn(member,
                "{ \"reference\": \"r1\", \"type\": \"PURCHASE\", \"points\": 40 }", key));
        assertEquals(201, retry.get("statusCode").asInt());
        assertEquals("true", ApiEvents.headers(retry).get(IdempotentWrites.REPLAYED_HEADER));
        assertEquals(first.get("body").asText(), retry.get("body").asText(), "byte-for-byte the first body");
        assertEquals(1, entries(member));
        assertEquals("COMPLETED", item(key).get("status").s());
    }

    @Test
    void theSameKeyWithADifferentBodyIs422AndChangesNothing() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        assertEquals(201, Lambda.invoke(ApiEvents.earn(member, earnBody(40, "r1"), key)).get("statusCode").asInt());
        JsonNode reused = Lambda.invoke(ApiEvents.earn(member, earnBody(41, "r1"), key));
        assertEquals(422, reused.get("statusCode").asInt());
        assertEquals("IDEMPOTENCY_KEY_REUSED", body(reused).get("code").asText());
        JsonNode otherMember = Lambda.invoke(ApiEvents.earn(newMember(), earnBody(40, "r1"), key));
        assertEquals(422, otherMember.get("statusCode").asInt(), "the key belongs to the caller and route, not the member");
        assertEquals(1, entries(member));
    }

    @Test
    void clientErrorsAreStoredAndReplayedToo() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        JsonNode bad = Lambda.invoke(ApiEvents.earn(member, earnBody(0, "r1"), key));
        assertEquals(400, bad.get("statusCode").asInt());
        JsonNode again = Lambda.invoke(ApiEvents.earn(member, earnBody(0, "r1"), key));
        assertEquals(400, again.get("statusCode").asInt());
        assertEquals("true", ApiEvents.headers(again).get(IdempotentWrites.REPLAYED_HEADER));
        assertEquals("application/problem+json", ApiEvents.headers(again).get("content-type"));
        assertEquals(0, entries(member));
    }

    @Test
    void twentyParallelIdenticalRequestsApplyOnce() throws Exception {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        ObjectNode json = ApiEvents.earn(member, earnBody(25, "parallel-1"), key);
        HttpApiEvent event = Lambda.JSON.treeToValue(json, HttpApiEvent.class);
        int parallel = 20;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Callable<HttpApiResponse>> calls = new ArrayList<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < parallel; i++) {
            calls.add(() -> {
                start.await();
                return earnFunction.earn(event);
            });
        }
        List<Future<HttpApiResponse>> futures = new ArrayList<>();
        for (Callable<HttpApiResponse> c : calls) {
            futures.add(pool.submit(c));
        }
        start.countDown();
        int created = 0;
        int inProgress = 0;
        Set<String> transactionIds = new HashSet<>();
        for (Future<HttpApiResponse> f : futures) {
            HttpApiResponse r = f.get();
            if (r.statusCode() == 201) {
                created++;
                transactionIds.add(Lambda.JSON.readTree(r.body()).get("transactionId").asText());
            } else {
                assertEquals(409, r.statusCode(), r.body());
                assertEquals("IDEMPOTENCY_IN_PROGRESS", Lambda.JSON.readTree(r.body()).get("code").asText());
                assertTrue(Long.parseLong(r.header("retry-after")) >= 1);
                inProgress++;
            }
        }
        pool.shutdown();
        System.out.printf("20 parallel identical earns: %d x 201, %d x 409 in progress, %d transaction id(s)%n",
                created, inProgress, transactionIds.size());
        assertEquals(parallel, created + inProgress);
        assertTrue(created >= 1);
        assertEquals(1, transactionIds.size(), "every 201 carries the same transaction");
        assertEquals(1, entries(member));
        // After the dust settles, a retry replays the one answer.
        HttpApiResponse retry = earnFunction.earn(event);
        assertEquals(201, retry.statusCode());
        assertEquals(transactionIds.iterator().next(), Lambda.JSON.readTree(retry.body()).get("transactionId").asText());
    }

    @Test
    void aCrashAfterTheCommitIsAnsweredWithTheOriginalOutcome() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        JsonNode first = Lambda.invoke(ApiEvents.earn(member, earnBody(70, "crash-1"), key));
        assertEquals(201, first.get("statusCode").asInt());
        // The fault: PostgreSQL committed, then the Lambda died before marking COMPLETED, and
        // its in-progress expiry has passed. The record is what such a crash leaves behind.
        overwriteAsInProgress(key, Instant.now().toEpochMilli() - 1);
        JsonNode retry = Lambda.invoke(ApiEvents.earn(member, earnBody(70, "crash-1"), key));
        assertEquals(201, retry.get("statusCode").asInt(), retry.toString());
        assertEquals(body(first).get("transactionId"), body(retry).get("transactionId"));
        assertEquals(body(first), body(retry), "the original outcome, read back from the ledger");
        assertEquals("true", ApiEvents.headers(retry).get(IdempotentWrites.REPLAYED_HEADER));
        assertEquals(1, entries(member));
        assertEquals("COMPLETED", item(key).get("status").s());
    }

    @Test
    void aLiveClaimGets409AndATimedOutOneIsTakenOver() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        // A first attempt whose Lambda is still running (claim live for another minute).
        IdempotencyStore.Claim claim = store.claim(scopedKey(key),
                dev.loyalty.functions.idempotency.RequestHash.of("POST", "/members/" + member + "/earn", earnBody(5, "t1")),
                Instant.now(), Instant.now().toEpochMilli() + 60_000, Instant.now().getEpochSecond() + 3600);
        assertInstanceOf(IdempotencyStore.Claim.Claimed.class, claim);
        JsonNode busy = Lambda.invoke(ApiEvents.earn(member, earnBody(5, "t1"), key));
        assertEquals(409, busy.get("statusCode").asInt());
        assertEquals("IDEMPOTENCY_IN_PROGRESS", body(busy).get("code").asText());
        long retryAfter = Long.parseLong(ApiEvents.headers(busy).get("retry-after"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "retry-after " + retryAfter);
        assertEquals(0, entries(member));
        // That Lambda timed out: its in-progress expiry passes, and the retry takes over.
        overwriteAsInProgress(key, Instant.now().toEpochMilli() - 1);
        JsonNode taken = Lambda.invoke(ApiEvents.earn(member, earnBody(5, "t1"), key));
        assertEquals(201, taken.get("statusCode").asInt(), taken.toString());
        assertEquals(1, entries(member));
    }

    /**
     * The SDK retries a claim whose answer was lost; when the lost attempt had written, the
     * retry meets its own claim and must take it as its own (it was answered 409 in progress,
     * and the request never ran). A different request under the key still gets the existing claim.
     */
    @Test
    void aClaimRetriedAfterItsWriteLandedIsStillOurs() {
        String key = scopedKey("k-" + UUID.randomUUID());
        Instant now = Instant.now();
        long inProgressUntil = now.toEpochMilli() + 60_000;
        IdempotencyStore.Claim first = store.claim(key, "hash-a", now, inProgressUntil, now.getEpochSecond() + 3600);
        assertInstanceOf(IdempotencyStore.Claim.Claimed.class, first);
        // The same PutItem again, as the SDK's retry sends it: the same item to the millisecond.
        IdempotencyStore.Claim retried = store.claim(key, "hash-a", now, inProgressUntil, now.getEpochSecond() + 3600);
        assertInstanceOf(IdempotencyStore.Claim.Claimed.class, retried, "the retry found its own claim");
        // A client's own retry (same body, its own clock) and a different body are someone else's claim.
        IdempotencyStore.Claim client = store.claim(key, "hash-a", now.plusMillis(3), inProgressUntil + 3, now.getEpochSecond() + 3600);
        assertInstanceOf(IdempotencyStore.Claim.Existing.class, client);
        IdempotencyStore.Claim other = store.claim(key, "hash-b", now, inProgressUntil, now.getEpochSecond() + 3600);
        assertInstanceOf(IdempotencyStore.Claim.Existing.class, other);
    }

    @Test
    void aStoredAnswerNamingATransactionTheLedgerDoesNotHoldIsNotReplayed() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        JsonNode first = Lambda.invoke(ApiEvents.earn(member, earnBody(70, "lost-1"), key));
        assertEquals(201, first.get("statusCode").asInt(), first.toString());
        // The record claims an answer the ledger never held (as after a commit that was
        // acknowledged and then lost): another transaction id, another balance.
        String forged = body(first).toString().replace(body(first).get("transactionId").asText(), UUID.randomUUID().toString())
                .replace("\"balance\":70", "\"balance\":75");
        Map<String, AttributeValue> record = new java.util.HashMap<>(item(key));
        record.put("responseBody", AttributeValue.fromS(forged));
        dynamo.putItem(b -> b.tableName(DynamoResource.TABLE).item(record));
        JsonNode retry = Lambda.invoke(ApiEvents.earn(member, earnBody(70, "lost-1"), key));
        assertEquals(201, retry.get("statusCode").asInt(), retry.toString());
        assertEquals(body(first).get("transactionId"), body(retry).get("transactionId"), "the ledger's transaction, not the record's");
        assertEquals(70, body(retry).get("balance").asLong());
        assertEquals(1, entries(member));
    }

    @Test
    void aRecordRemovedByTtlStillCannotDoubleApply() {
        String member = newMember();
        String key = "k-" + UUID.randomUUID();
        JsonNode first = Lambda.invoke(ApiEvents.earn(member, earnBody(90, "ttl-1"), key));
        assertEquals(201, first.get("statusCode").asInt());
        dynamo.deleteItem(b -> b.tableName(DynamoResource.TABLE)
                .key(Map.of(DynamoDbIdempotencyStore.KEY, AttributeValue.fromS(scopedKey(key)))));
        JsonNode retry = Lambda.invoke(ApiEvents.earn(member, earnBody(90, "ttl-1"), key));
        assertEquals(201, retry.get("statusCode").asInt());
        assertEquals(body(first), body(retry));
        assertEquals(1, entries(member));
        assertEquals(90, body(retry).get("balance").asLong());
    }

    /**
     * The DynamoDB condition and the core rule are one predicate: for each boundary row, a
     * claim against the real server and {@link IdempotencyRules#claimable} agree.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // case,                              status,      expiresOffsetSeconds, inProgressOffsetMs, claimable
            "expired a second ago,                COMPLETED,   -1,     60000,  true",
            "expires exactly now,                 COMPLETED,   0,      60000,  false",
            "completed and live,                  COMPLETED,   3600,   -60000, false",
            "in progress past its expiry,         IN_PROGRESS, 3600,   -1,     true",
            "in progress expiring exactly now,    IN_PROGRESS, 3600,   0,      false",
            "in progress and live,                IN_PROGRESS, 3600,   60000,  false",
            "in progress but record expired,      IN_PROGRESS, -1,     60000,  true",
    })
    void conditionExpressionBoundaries(String name, IdempotencyRecord.Status status, long expiresOffsetSeconds,
                                       long inProgressOffsetMs, boolean claimable) {
        // Whole seconds, so "now" is the same instant in both clocks.
        Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond());
        String key = "boundary-" + UUID.randomUUID();
        IdempotencyRecord existing = new IdempotencyRecord(key, status, "hash-a",
                status == IdempotencyRecord.Status.COMPLETED ? new IdempotencyRecord.StoredResponse(201, "{}") : null,
                now.getEpochSecond() + expiresOffsetSeconds, now.toEpochMilli() + inProgressOffsetMs);
        Map<String, AttributeValue> item = new java.util.HashMap<>(Map.of(
                "pk", AttributeValue.fromS(key), "status", AttributeValue.fromS(status.name()),
                "requestHash", AttributeValue.fromS("hash-a"),
                "expiresAtEpochSecond", AttributeValue.fromN(Long.toString(existing.expiresAtEpochSecond())),
                "inProgressExpiresAtEpochMilli", AttributeValue.fromN(Long.toString(existing.inProgressExpiresAtEpochMilli()))));
        if (existing.response() != null) {
            item.put("responseStatus", AttributeValue.fromN("201"));
            item.put("responseBody", AttributeValue.fromS("{}"));
        }
        dynamo.putItem(b -> b.tableName(DynamoResource.TABLE).item(item));

        assertEquals(claimable, IdempotencyRules.claimable(existing, now), "core rule");
        IdempotencyStore.Claim claim = store.claim(key, "hash-a", now, now.toEpochMilli() + 1000, now.getEpochSecond() + 60);
        assertEquals(claimable, claim instanceof IdempotencyStore.Claim.Claimed, "DynamoDB condition");
        if (!claimable) {
            assertEquals(existing, ((IdempotencyStore.Claim.Existing) claim).record(), "the duplicate comes back whole");
        }
    }

    @Test
    void tableDefinitionMatchesTheAdapter() throws Exception {
        JsonNode def = Lambda.JSON.readTree(DynamoResource.root().resolve("infra-terraform/tables/idempotency.json").toFile());
        assertEquals(DynamoDbIdempotencyStore.KEY, def.at("/KeySchema/0/AttributeName").asText());
        assertEquals(DynamoDbIdempotencyStore.EXPIRES_AT_EPOCH_SECOND, def.get("TimeToLiveAttribute").asText());
        assertNull(def.get("KeySchema").get(1), "a hash key only");
    }
}
