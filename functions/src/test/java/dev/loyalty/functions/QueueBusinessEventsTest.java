package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.functions.program.RuleSets;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Business events on the earn queue (records with an {@code event} field), through the earn-queue handler. */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueue.class)
class QueueBusinessEventsTest extends LedgerTestSupport {
    @Inject
    Db db;
    @Inject
    RuleSets ruleSets;

    long count(String sql, Object... args) {
        return db.read(tx -> tx.query(sql, args).iterator().next().getLong(0));
    }

    void publish() {
        var parsed = (RuleSetParser.Result.Parsed) ruleSets.parse(new JsonObject(BusinessEventsTest.RULES).getMap());
        ruleSets.publish(parsed.ruleSet(), null, Instant.now(), "test");
    }

    static String event(String member, String name, String reference, Long amount) {
        return "{\"memberId\":\"" + member + "\",\"event\":\"" + name + "\",\"reference\":\"" + reference + "\""
                + (amount == null ? "" : ",\"amount\":" + amount) + "}";
    }

    @Test
    void theSampleBatchAndABatchOf100ApplyEachEventOnceAndParkWhatCannotSucceed() {
        publish();
        ObjectNode sample = Lambda.sample("sqs/events-batch.json");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        sample.get("Records").forEach(r -> ((ObjectNode) r).put("body",
                r.get("body").asText().replace("\"m-100", "\"e" + suffix + "-m-100")
                        .replace("\"occurredAt\":\"2026-11-24T09:58:12Z\",", "")));
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(sample)));
        assertEquals(129, count("SELECT balance FROM accounts WHERE member_id = $1", "e" + suffix + "-m-1001"));
        assertEquals(5, count("SELECT balance FROM accounts WHERE member_id = $1", "e" + suffix + "-m-1002"));

        String a = "qa-" + suffix;
        String b = "qb-" + suffix;
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 98; i++) {
            bodies.add(event(i % 2 == 0 ? a : b, "purchase", "p-" + i, 1_000L)); // 10 points each, 500 a day cap
        }
        bodies.add(event(a, "purchase", "p-0", 1_000L)); // the same event again: a duplicate
        bodies.add("{\"memberId\":\"" + a + "\",\"event\":\"purchase\",\"points\":5,\"reference\":\"both\"}"); // parked
        JsonNode response = Lambda.invoke(QueueEarnFunctionTest.batch("evb-" + suffix, bodies));
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(response));
        assertEquals(490, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(490, count("SELECT balance FROM accounts WHERE member_id = $1", b));
        assertEquals(49, count("SELECT count(*) FROM business_events WHERE member_id = $1", a));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE member_id = $1", a));
        // Redelivered whole: nothing changes.
        Lambda.invoke(QueueEarnFunctionTest.batch("evb2-" + suffix, bodies.subList(0, 98)));
        assertEquals(490, count("SELECT balance FROM accounts WHERE member_id = $1", a));
        assertEquals(49, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", a));
        assertEquals(49, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1 AND actor_source = 'queue'"
                + " AND request_id LIKE 'evb-%'", a));
    }
}
