package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.functions.program.RuleSets;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Returns on the earn queue, through the earn-queue handler: exactly once, a return that
 * arrives before its purchase is retried by SQS (listed in batchItemFailures) until its receive
 * count reaches {@code loyalty.queue.return-before-purchase-max-receives} (5), then parked with
 * its reason; a return that can never succeed is parked at once. The sample batch, and the
 * business-event schema, which the samples' bodies must satisfy.
 */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueue.class)
class QueueReturnsTest extends LedgerTestSupport {
    @Inject
    Db db;
    @Inject
    RuleSets ruleSets;

    long count(String sql, Object... args) {
        return db.read(tx -> {
            Object v = tx.query(sql, args).iterator().next().getValue(0);
            return v == null ? 0L : ((Number) v).longValue();
        });
    }

    void publish() {
        var parsed = (RuleSetParser.Result.Parsed) ruleSets.parse(new JsonObject(ReturnsTest.RULES).getMap());
        ruleSets.publish(parsed.ruleSet(), null, Instant.now(), "test");
    }

    static String purchase(String member, String reference, long amount) {
        return "{\"memberId\":\"" + member + "\",\"event\":\"purchase\",\"reference\":\"" + reference + "\",\"amount\":" + amount + "}";
    }

    static String returning(String member, String reference, String original, Long amount) {
        return "{\"memberId\":\"" + member + "\",\"event\":\"return\",\"reference\":\"" + reference
                + "\",\"originalReference\":\"" + original + "\"" + (amount == null ? "" : ",\"amount\":" + amount) + "}";
    }

    static ObjectNode batch(String prefix, List<String> bodies, int receiveCount) {
        ObjectNode e = QueueEarnFunctionTest.batch(prefix, bodies);
        e.get("Records").forEach(r -> ((ObjectNode) r.get("attributes")).put("ApproximateReceiveCount",
                Integer.toString(receiveCount)));
        return e;
    }

    @Test
    void aPurchaseAndItsReturnsApplyOnceInOrder() {
        publish();
        String m = newMember();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<String> bodies = List.of(purchase(m, "p-1", 10_000), returning(m, "r-1", "p-1", 2_500L),
                returning(m, "r-2", "p-1", null));
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("qr-" + suffix, bodies, 1))));
        assertEquals(0, count("SELECT balance FROM accounts WHERE member_id = $1", m));
        assertEquals(2, count("SELECT count(*) FROM returns WHERE member_id = $1", m));
        assertEquals(100, count("SELECT -sum(points) FROM ledger_entries WHERE member_id = $1 AND kind = 'RETURN'", m));
        // Redelivered: nothing changes; a different return under a used reference is parked.
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("qr2-" + suffix,
                List.of(bodies.get(1), bodies.get(2), returning(m, "r-1", "p-1", 100L)), 2))));
        assertEquals(2, count("SELECT count(*) FROM returns WHERE member_id = $1", m));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE member_id = $1 AND code = 'REFERENCE_ALREADY_USED'", m));
    }

    @Test
    void aReturnBeforeItsPurchaseIsRetriedThenAppliedOrParkedAfterTheLimit() {
        publish();
        String m = newMember();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String early = returning(m, "r-1", "p-1", 5_000L);
        // Receives 1..4: transient, SQS retries (the member's account is not even there yet).
        for (int receive = 1; receive <= 4; receive++) {
            JsonNode response = Lambda.invoke(batch("early-" + suffix, List.of(early), receive));
            assertEquals(Set.of("early-" + suffix + "-0"), QueueEarnFunctionTest.failures(response), "receive " + receive);
        }
        assertEquals(0, count("SELECT count(*) FROM parked_messages WHERE member_id = $1", m));
        // The purchase arrives; the next delivery of the return applies.
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("p-" + suffix,
                List.of(purchase(m, "p-1", 10_000)), 1))));
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("early-" + suffix, List.of(early), 4))));
        assertEquals(50, count("SELECT balance FROM accounts WHERE member_id = $1", m));

        // A return whose purchase never comes: parked with its reason at the limit, not retried.
        String orphan = returning(m, "r-2", "p-404", null);
        assertEquals(Set.of("o-" + suffix + "-0"), QueueEarnFunctionTest.failures(
                Lambda.invoke(batch("o-" + suffix, List.of(orphan), 4))));
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("o-" + suffix, List.of(orphan), 5))));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE member_id = $1 AND code = 'EVENT_NOT_FOUND'"
                + " AND reason LIKE '%after 5 receives%'", m));

        // Permanent errors are parked at once: no originalReference; more than the purchase.
        assertEquals(Set.of(), QueueEarnFunctionTest.failures(Lambda.invoke(batch("bad-" + suffix, List.of(
                "{\"memberId\":\"" + m + "\",\"event\":\"return\",\"reference\":\"r-3\"}",
                returning(m, "r-4", "p-1", 9_000L)), 1))));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE member_id = $1 AND code = 'VALIDATION_FAILED'", m));
        assertEquals(1, count("SELECT count(*) FROM parked_messages WHERE member_id = $1 AND code = 'RETURN_EXCEEDS_PURCHASE'", m));
        assertEquals(50, count("SELECT balance FROM accounts WHERE member_id = $1", m));
    }

    @Test
    void theSampleBatchAndTheSamplesBodiesAgainstTheSchema() throws Exception {
        publish();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        ObjectNode sample = Lambda.sample("sqs/returns-batch.json");
        Schema schema;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("events/schemas/business-event.schema.json")) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in, InputFormat.JSON);
        }
        for (JsonNode r : sample.get("Records")) {
            assertEquals(List.of(), schema.validate(r.get("body").asText(), InputFormat.JSON).stream().map(Object::toString).toList());
            ((ObjectNode) r).put("body", r.get("body").asText().replace("\"m-1001\"", "\"s" + suffix + "-m-1001\""));
        }
        String api = Lambda.sample("api/return.json").get("body").asText();
        assertEquals(List.of(), schema.validate(api, InputFormat.JSON).stream().map(Object::toString).toList());
        assertFalse(schema.validate(api.replace("\"originalReference\"", "\"original\""), InputFormat.JSON).isEmpty());
        assertFalse(schema.validate("{\"event\":\"purchase\",\"reference\":\"x\",\"originalReference\":\"y\"}",
                InputFormat.JSON).isEmpty(), "only a return names an originalReference");

        JsonNode response = Lambda.invoke(sample);
        // The third record's purchase is not there (second receive): retried, nothing parked.
        assertEquals(Set.of("7d2f4c1a-5b8e-4f3a-9c6d-000000000103"), QueueEarnFunctionTest.failures(response));
        assertEquals(75, count("SELECT balance FROM accounts WHERE member_id = $1", "s" + suffix + "-m-1001"));
    }
}
