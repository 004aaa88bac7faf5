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
