package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The earn-queue Lambda through its handler, with SQS events shaped as the event source mapping sends them. */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueue.class)
class QueueEarnFunctionTest extends LedgerTestSupport {
    @Inject
    Db db;
    @Inject
    dev.loyalty.functions.earn.EarnService earnService;
    @Inject
    dev.loyalty.functions.queue.QueueEarnService queue;

    /** The sample batch with its records replaced by these bodies (message ids m-0, m-1, ...). */
    static ObjectNode batch(String prefix, List<String> bodies) {
        ObjectNode event = Lambda.sample("sqs/earn-batch.json");
        ObjectNode template = (ObjectNode) event.get("Records").get(0);
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.size(); i++) {
            ObjectNode r = template.deepCopy();
            r.put("messageId", prefix + "-" + i);
            r.put("body", bodies.get(i));
            records.add(r);
        }
        return event;
    }

    static String earn(String member, long points, String type, String reference) {
        return "{\"memberId\":\"" + member + "\",\"points\":" + points + ",\"type\":\"" + type + "\",\"reference\":\"" + reference + "\"}";
    }

    long count(String sql, Object... args) {
        return db.read(tx -> tx.query(sql, args).iterator().next().getLong(0));
    }

    static Set<String> failures(JsonNode response) {
        Set<String> ids = new TreeSet<>();
        response.get("batchItemFailures").forEach(f -> ids.add(f.get("itemIdentifier").asText()));
        return ids;
    }

    @Test
    void theSampleBatchApplies() {
        ObjectNode event = Lambda.sample("sqs/earn-batch.json");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        event.get("Records").forEach(r -> ((ObjectNode) r).put("body",
                r.get("body").asText().replace("\"m-100", "\"q" + suffix + "-m-100")));
        JsonNode response = Lambda.invoke(event);
        assertEquals(Set.of(), failures(response));
        assertEquals(3, count("SELECT count(*) FROM ledger_entries WHERE member_id LIKE $1", "q" + suffix + "-%"));
    }

    @Test
    void aMixedBatchAppliesTheGoodParksTheBadAndAppliesDuplicatesOnce() {
        String a = newMember();
        String b = newMember();
        String prefix = "mixed-" + UUID.randomUUID();
        List<String> bodies = new ArrayList<>(List.of(
                earn(a, 100, "PURCHASE", "p-1"),
                earn(b, 20, "SIGN_IN", "s-1"),
                earn(a, 100, "PURCHASE", "p-1"),                 // duplicate within the batch
                "{not json",                                      // can never succeed
                earn(a, 5, "GOLD", "g-1"),                        // unknown type
                earn("bad member!", 5, "PURCHASE", "x-1"),        // bad member id
                "{\"memberId\":\"" + a + "\",\"points\":1.5,\"type\":\"PURCHASE\",\"reference\":\"f-1\"}",
                earn(a, 7, "PURCHASE", "p-1")));                  // same reference, different payload
        JsonNode response = Lambda.invoke(batch(prefix, bodies));
        assertEquals(Set.of(), failures(response), "nothing here is transient");
        assertEquals(100, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(20, count("SELECT balance FROM accounts WHERE member_id = $1", b));
        assertEquals(5, count("SELECT count(*) FROM parked_messages WHERE message_id LIKE $1", prefix + "-%"));
        List<String> codes = db.read(tx -> tx.list("SELECT message_id, code FROM parked_messages WHERE message_id LIKE $1"
                + " ORDER BY message_id", r -> r.getString("message_id").substring(prefix.length() + 1) + "=" + r.getString("code"),
                prefix + "-%"));
        assertEquals(List.of("3=VALIDATION_FAILED", "4=UNKNOWN_POINT_TYPE", "5=VALIDATION_FAILED", "6=VALIDATION_FAILED",
                "7=REFERENCE_ALREADY_USED"), codes);
        String raw = db.read(tx -> tx.one("SELECT raw_body FROM parked_messages WHERE message_id = $1",
                r -> r.getString("raw_body"), prefix + "-3").orElseThrow());
        assertEquals("{not json", raw, "the raw body is kept as received");
    }

    @Test
    void aBatchChainsSeveralEarnsOfOneMemberAndMeetsTheLedgersEarlierEntries() {
        String a = newMember();
        String b = newMember();
        String fresh = newMember();
        // Earlier earns through the API: different idempotency keys, same ledger references.
        earnService.earn(new dev.loyalty.core.earn.EarnCommand(a, 10, "PURCHASE", "shared-1", null, null));
        earnService.earn(new dev.loyalty.core.earn.EarnCommand(a, 40, "PURCHASE", "shared-2", null, null));
        earnService.earn(new dev.loyalty.core.earn.EarnCommand(b, 5, "BONUS", "b-0", null, null));
        String prefix = "chain-" + UUID.randomUUID();
        List<String> bodies = List.of(
                earn(a, 1, "PURCHASE", "c-1"),
                earn(fresh, 7, "PROMO", "f-1"),
                earn(a, 2, "SIGN_IN", "c-2"),
                earn(a, 10, "PURCHASE", "shared-1"),      // already in the ledger, same earn: applied once
                earn(b, 3, "PURCHASE", "b-1"),
                earn(a, 99, "PURCHASE", "shared-2"),      // already in the ledger as a different earn: parked
                earn(a, 4, "BONUS", "c-3"));
        List<dev.loyalty.functions.queue.SqsEvent.Record> records = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            records.add(new dev.loyalty.functions.queue.SqsEvent.Record(prefix + "-" + i, null, bodies.get(i),
                    java.util.Map.of(), "aws:sqs", null, null));
        }
        var report = queue.process(new dev.loyalty.functions.queue.SqsEvent(records));
        assertTrue(report.batched(), "applied by the set-based batch, not the per-record fallback");
        assertEquals(List.of(), report.retry());
        assertEquals(5, report.applied());
        assertEquals(10 + 40 + 1 + 2 + 4, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(5 + 3, count("SELECT balance FROM accounts WHERE member_id = $1", b));
        assertEquals(7, count("SELECT balance FROM accounts WHERE member_id = $1", fresh));
        assertEquals(List.of("1:10:10", "2:40:50", "3:1:51", "4:2:53", "5:4:57"), db.read(tx -> tx.list(
                "SELECT sequence, points, balance_after FROM ledger_entries WHERE member_id = $1 ORDER BY sequence",
                r -> r.getLong("sequence") + ":" + r.getLong("points") + ":" + r.getLong("balance_after"), a)),
                "one entry per earn, sequences and running balances chained in batch order");
        assertEquals(5, count("SELECT count(*) FROM lots WHERE member_id = $1", a));
        assertEquals(5, count("SELECT version FROM accounts WHERE member_id = $1", a));
        assertEquals(List.of("5=REFERENCE_ALREADY_USED"), db.read(tx -> tx.list(
                "SELECT message_id, code FROM parked_messages WHERE message_id LIKE $1 ORDER BY message_id",
                r -> r.getString("message_id").substring(prefix.length() + 1) + "=" + r.getString("code"), prefix + "-%")));
    }

    @Test
    void concurrentBatchesOverTheSameMembersNeitherDeadlockNorLoseAnEarn() throws Exception {
        // Lambda runs several batches at once (maximum concurrency on the event source mapping):
        // each shuffles the same members; locks are taken in member id order, so none deadlock.
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            members.add(newMember());
        }
        int batches = 6;
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<java.util.concurrent.Future<dev.loyalty.functions.queue.QueueEarnService.BatchReport>> futures = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(batches)) {
            for (int batch = 0; batch < batches; batch++) {
                List<dev.loyalty.functions.queue.SqsEvent.Record> records = new ArrayList<>();
                List<String> shuffled = new ArrayList<>(members);
                java.util.Collections.shuffle(shuffled, new java.util.Random(batch));
                for (String m : shuffled) {
                    records.add(new dev.loyalty.functions.queue.SqsEvent.Record(run + "-" + batch + "-" + m, null,
                            earn(m, batch + 1, "PURCHASE", "conc-" + batch), java.util.Map.of(), "aws:sqs", null, null));
                }
                var event = new dev.loyalty.functions.queue.SqsEvent(records);
                futures.add(pool.submit(() -> queue.process(event)));
            }
            for (var f : futures) {
                var report = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(List.of(), report.retry(), "no record needed a retry");
                assertEquals(members.size(), report.applied());
                assertTrue(report.batched(), "applied by the set-based batch, not the per-record fallback");
            }
        }
        long expected = 0;
        for (int batch = 0; batch < batches; batch++) {
            expected += batch + 1;
        }
        for (String m : members) {
            assertEquals(expected, count("SELECT balance FROM accounts WHERE member_id = $1", m));
            assertEquals(batches, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", m));
        }
    }

    @Inject
    software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo;

    /**
     * Two (here four) invocations racing on the SAME records, as SQS redelivers a batch whose
     * first invocation is still running: the ledger transaction is the idempotency check, so
     * each record is applied once, the others see it as a duplicate, and no invocation asks the
     * idempotency table anything.
     */
    @Test
    void concurrentInvocationsWithOverlappingRecordsApplyEachOnceWithoutTheIdempotencyTable() throws Exception {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(newMember());
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        int invocations = 4;
        int itemsBefore = dynamo.scan(b -> b.tableName(DynamoResource.TABLE)).count();
        List<java.util.concurrent.Future<dev.loyalty.functions.queue.QueueEarnService.BatchReport>> futures = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(invocations)) {
            for (int n = 0; n < invocations; n++) {
                List<dev.loyalty.functions.queue.SqsEvent.Record> records = new ArrayList<>();
                List<String> shuffled = new ArrayList<>(members);
                java.util.Collections.shuffle(shuffled, new java.util.Random(n));
                for (String m : shuffled) {
                    records.add(new dev.loyalty.functions.queue.SqsEvent.Record(run + "-" + m, null,
                            earn(m, 5, "PURCHASE", "overlap-" + run), java.util.Map.of(), "aws:sqs", null, null));
                }
                var event = new dev.loyalty.functions.queue.SqsEvent(records);
                futures.add(pool.submit(() -> queue.process(event)));
            }
            int applied = 0;
            int duplicates = 0;
            for (var f : futures) {
                var report = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(List.of(), report.retry(), "no record needed a retry");
                applied += report.applied();
                duplicates += report.duplicates();
            }
            assertEquals(members.size(), applied, "each record applied by exactly one invocation");
            assertEquals(members.size() * (invocations - 1), duplicates);
        }
        for (String m : members) {
            assertEquals(5, count("SELECT balance FROM accounts WHERE member_id = $1", m));
            assertEquals(1, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", m));
        }
        assertEquals(itemsBefore, dynamo.scan(b -> b.tableName(DynamoResource.TABLE)).count(),
                "the queue path writes nothing to the idempotency table");
    }

    @Test
    void aRedeliveredRecordWithAnotherPayloadIsParkedAsAReusedReference() {
        String a = newMember();
        String prefix = "reuse-" + UUID.randomUUID();
        assertEquals(Set.of(), failures(Lambda.invoke(batch(prefix, List.of(earn(a, 10, "PURCHASE", "r-1"))))));
        assertEquals(Set.of(), failures(Lambda.invoke(batch(prefix + "-again", List.of(earn(a, 11, "PURCHASE", "r-1"))))));
        assertEquals(10, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE message_id = $1 AND code = 'REFERENCE_ALREADY_USED'",
                prefix + "-again-0"));
    }

    @Test
    void aRedeliveredBatchAppliesNothingTwice() {
        String a = newMember();
        String prefix = "redeliver-" + UUID.randomUUID();
        ObjectNode event = batch(prefix, List.of(earn(a, 10, "PURCHASE", "r-1"), earn(a, 20, "PURCHASE", "r-2"),
                "{\"broken\":true}"));
        assertEquals(Set.of(), failures(Lambda.invoke(event)));
        assertEquals(Set.of(), failures(Lambda.invoke(event)));
        assertEquals(30, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(2, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", a));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE message_id LIKE $1", prefix + "-%"),
                "parking is idempotent per message id");
    }

    @Test
    void aRecordThatFailsInsideTheBatchFallsBackWithoutHalfApplyingTheRest() {
        String a = newMember();
        String b = newMember();
        // b sits at the top of the long range: its next earn overflows, which only shows inside the transaction.
        db.inTransaction(tx -> {
            tx.query("INSERT INTO accounts(member_id, balance, version, created_at, updated_at) VALUES ($1, 0, 0, now(), now())", b);
            return null;
        });
        String prefix = "fallback-" + UUID.randomUUID();
        seedHuge(b);
        JsonNode response = Lambda.invoke(batch(prefix, List.of(earn(a, 10, "PURCHASE", "f-1"), earn(b, 1_000_000_000L,
                "PURCHASE", "f-2"), earn(a, 15, "PURCHASE", "f-3"))));
        assertEquals(Set.of(), failures(response));
        assertEquals(25, count("SELECT balance FROM accounts WHERE member_id = $1", a), "the good records applied once each");
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE message_id = $1", prefix + "-1"));
    }

    /** Brings b close to Long.MAX_VALUE with consistent entries and a lot, so invariants still hold. */
    void seedHuge(String b) {
        long huge = Long.MAX_VALUE - 10;
        db.inTransaction(tx -> {
            UUID entry = UUID.randomUUID();
            tx.query("INSERT INTO ledger_entries(member_id, entry_id, sequence, kind, points, balance_after, point_type, reference,"
                    + " occurred_at, recorded_at) VALUES ($1,$2,1,'ADJUSTMENT',$3,$3,'BONUS','seed-huge',now(),now())", b, entry, huge);
            tx.query("INSERT INTO lots(member_id, lot_id, point_type, original_points, remaining_points, earned_at, expires_at,"
                    + " source_entry_id) VALUES ($1,$2,'BONUS',$3,$3,now(),NULL,$4)", b, UUID.randomUUID(), huge, entry);
            tx.query("UPDATE accounts SET balance = $2, version = 1 WHERE member_id = $1", b, huge);
            return null;
        });
    }
}
