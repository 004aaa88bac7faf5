package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class EarnFunctionTest extends LedgerTestSupport {
    @Inject
    Db db;

    static String earnBody(long points, String type, String reference) {
        return "{\"points\":" + points + ",\"type\":\"" + type + "\",\"reference\":\"" + reference + "\"}";
    }

    JsonNode earn(String member, String body) {
        return Lambda.invoke(ApiEvents.earn(member, body, UUID.randomUUID().toString()));
    }

    long count(String sql, Object... args) {
        return db.read(tx -> tx.query(sql, args).iterator().next().getLong(0));
    }

    long rowsFor(String member) {
        return count("SELECT (SELECT count(*) FROM accounts WHERE member_id = $1)"
                + " + (SELECT count(*) FROM ledger_entries WHERE member_id = $1)"
                + " + (SELECT count(*) FROM lots WHERE member_id = $1)", member);
    }

    @Test
    void sampleEventEarnsThroughTheHandler() {
        String member = newMember();
        ObjectNode event = ApiEvents.earn(member, earnBody(250, "PURCHASE", "order-1"), "k-" + member);
        JsonNode response = Lambda.invoke(event);
        assertEquals(201, response.get("statusCode").asInt(), response.toString());
        assertEquals("application/json", ApiEvents.headers(response).get("content-type"));
        JsonNode receipt = body(response);
        assertEquals(member, receipt.get("memberId").asText());
        assertEquals(250, receipt.get("points").asLong());
        assertEquals(250, receipt.get("balance").asLong());
        assertNotNull(UUID.fromString(receipt.get("transactionId").asText()));
        assertEquals(250, receipt.at("/lot/points").asLong());
        Instant expiresAt = Instant.parse(receipt.at("/lot/expiresAt").asText());
        // PURCHASE: 365 days, at the end of the day (UTC program zone): midnight after day +365.
        Instant startOfToday = Instant.now().truncatedTo(ChronoUnit.DAYS);
        assertEquals(startOfToday.plus(366, ChronoUnit.DAYS), expiresAt);

        JsonNode second = earn(member, earnBody(50, "BONUS", "order-2"));
        assertEquals(201, second.get("statusCode").asInt());
        assertEquals(300, body(second).get("balance").asLong());
        assertTrue(body(second).at("/lot/expiresAt").isNull(), "BONUS never expires");
    }

    @Test
    void sameReferenceAppliesOnceAndAnswersTheOriginal() {
        String member = newMember();
        JsonNode first = earn(member, earnBody(100, "PROMO", "ref-1"));
        // A different Idempotency-Key (its record long gone, say): the ledger's own uniqueness holds.
        JsonNode again = earn(member, earnBody(100, "PROMO", "ref-1"));
        assertEquals(201, again.get("statusCode").asInt());
        assertEquals(body(first), body(again), "the retry answers the original outcome");
        assertEquals(1, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", member));

        JsonNode different = earn(member, earnBody(999, "PROMO", "ref-1"));
        assertEquals(409, different.get("statusCode").asInt());
        assertEquals("REFERENCE_ALREADY_USED", body(different).get("code").asText());
        assertEquals(body(first).get("transactionId"), body(different).get("transactionId"));
        assertEquals(100, count("SELECT balance FROM accounts WHERE member_id = $1", member));
    }

    @Test
    void pastOccurredAtIsAcceptedAndExpiryCountsFromIt() {
        String member = newMember();
        JsonNode r = earn(member, "{\"points\":10,\"type\":\"SIGN_IN\",\"reference\":\"late-1\",\"occurredAt\":\"2026-01-10T23:30:00Z\"}");
        assertEquals(201, r.get("statusCode").asInt(), r.toString());
        assertEquals("2026-02-10T00:00:00Z", body(r).at("/lot/expiresAt").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "malformed JSON           | {\"points\":10,                                                         | 400 | VALIDATION_FAILED",
            "not an object            | [1,2]                                                                  | 400 | VALIDATION_FAILED",
            "empty body               | ''                                                                     | 400 | VALIDATION_FAILED",
            "points missing           | {\"type\":\"PURCHASE\",\"reference\":\"r\"}                            | 400 | VALIDATION_FAILED",
            "points fractional        | {\"points\":10.5,\"type\":\"PURCHASE\",\"reference\":\"r\"}            | 400 | VALIDATION_FAILED",
            "points as string         | {\"points\":\"10\",\"type\":\"PURCHASE\",\"reference\":\"r\"}          | 400 | VALIDATION_FAILED",
            "points zero              | {\"points\":0,\"type\":\"PURCHASE\",\"reference\":\"r\"}               | 400 | VALIDATION_FAILED",
            "points negative          | {\"points\":-5,\"type\":\"PURCHASE\",\"reference\":\"r\"}              | 400 | VALIDATION_FAILED",
            "points over max          | {\"points\":1000000001,\"type\":\"PURCHASE\",\"reference\":\"r\"}      | 400 | VALIDATION_FAILED",
            "points beyond long       | {\"points\":99999999999999999999,\"type\":\"PURCHASE\",\"reference\":\"r\"} | 400 | VALIDATION_FAILED",
            "unknown type             | {\"points\":10,\"type\":\"GOLD\",\"reference\":\"r\"}                  | 422 | UNKNOWN_POINT_TYPE",
            "type missing             | {\"points\":10,\"reference\":\"r\"}                                    | 400 | VALIDATION_FAILED",
            "reference missing        | {\"points\":10,\"type\":\"PURCHASE\"}                                  | 400 | VALIDATION_FAILED",
            "reference with space     | {\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"a b\"}            | 400 | VALIDATION_FAILED",
            "occurredAt not a date    | {\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"r\",\"occurredAt\":\"yesterday\"} | 400 | VALIDATION_FAILED",
            "occurredAt in the future | {\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"r\",\"occurredAt\":\"2999-01-01T00:00:00Z\"} | 400 | VALIDATION_FAILED",
            "occurredAt too old       | {\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"r\",\"occurredAt\":\"1999-12-31T23:59:59Z\"} | 400 | VALIDATION_FAILED",
            "unknown field            | {\"points\":10,\"type\":\"PURCHASE\",\"reference\":\"r\",\"pionts\":1} | 400 | VALIDATION_FAILED",
    })
    void badInputGetsAProblemAndChangesNothing(String name, String body, int status, String code) {
        String member = newMember();
        JsonNode r = earn(member, body);
        assertEquals(status, r.get("statusCode").asInt(), r.toString());
        assertEquals("application/problem+json", ApiEvents.headers(r).get("content-type"));
        JsonNode problem = body(r);
        assertEquals(code, problem.get("code").asText());
        assertEquals(status, problem.get("status").asInt());
        assertFalse(problem.get("detail").asText().isBlank());
        assertTrue(problem.get("type").asText().startsWith("https://"));
        if (code.equals("VALIDATION_FAILED") && !name.startsWith("malformed") && !name.startsWith("not an")
                && !name.startsWith("empty")) {
            assertTrue(problem.get("errors").isArray() && problem.get("errors").size() == 1, problem.toString());
            assertNotNull(problem.at("/errors/0/field").asText());
        }
        assertEquals(0, rowsFor(member), "a rejected earn writes nothing, not even the account");
    }

    @Test
    void badMemberIdIsAValidationError() {
        String member = "bad member!";
        JsonNode r = Lambda.invoke(ApiEvents.earn("bad%20member!", earnBody(1, "PURCHASE", "r"), "k1"));
        assertEquals(400, r.get("statusCode").asInt(), r.toString());
        assertEquals("memberId", body(r).at("/errors/0/field").asText());
        assertEquals(0, rowsFor(member));
    }

    @Test
    void missingIdempotencyKeyIs400() {
        String member = newMember();
        JsonNode r = Lambda.invoke(ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), null));
        assertEquals(400, r.get("statusCode").asInt());
        assertEquals("IDEMPOTENCY_KEY_MISSING", body(r).get("code").asText());
        assertEquals(0, rowsFor(member));
    }

    @Test
    void identityAndScopesAreEnforced() {
        String member = newMember();
        ObjectNode anonymous = ApiEvents.anonymous(ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), "k"));
        assertEquals(401, Lambda.invoke(anonymous).get("statusCode").asInt());
        ObjectNode self = ApiEvents.as(ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), "k"), member, null);
        JsonNode selfEarn = Lambda.invoke(self);
        assertEquals(403, selfEarn.get("statusCode").asInt(), "a member cannot award itself points");
        assertEquals("FORBIDDEN", body(selfEarn).get("code").asText());
        ObjectNode admin = ApiEvents.as(ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), "k"), "ops", "points:admin");
        assertEquals(201, Lambda.invoke(admin).get("statusCode").asInt());
    }

    @Test
    void routingAndSizeLimits() {
        String member = newMember();
        ObjectNode wrongMethod = ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), "k");
        ApiEvents.path(wrongMethod, "GET", "/members/" + member + "/earn", "GET /members/{memberId}/earn",
                java.util.Map.of("memberId", member));
        JsonNode r405 = Lambda.invoke(wrongMethod);
        assertEquals(405, r405.get("statusCode").asInt());
        assertEquals("METHOD_NOT_ALLOWED", body(r405).get("code").asText());

        ObjectNode unknown = ApiEvents.earn(member, earnBody(1, "PURCHASE", "r"), "k");
        ApiEvents.path(unknown, "POST", "/members/" + member + "/earnings", "$default", java.util.Map.of());
        assertEquals(404, Lambda.invoke(unknown).get("statusCode").asInt());

        String big = "{\"points\":1,\"type\":\"PURCHASE\",\"reference\":\"r\",\"description\":\"" + "x".repeat(17_000) + "\"}";
        JsonNode r413 = earn(member, big);
        assertEquals(413, r413.get("statusCode").asInt());
        assertEquals("PAYLOAD_TOO_LARGE", body(r413).get("code").asText());
        assertEquals(0, rowsFor(member));
    }

    @Test
    void onlyAnAdminMaySetTheLotsExpiry() {
        String member = newMember();
        String body = "{\"points\":80,\"type\":\"PURCHASE\",\"reference\":\"import-1\","
                + "\"occurredAt\":\"2026-01-10T09:00:00Z\",\"expiresAt\":\"2030-02-01T00:00:00Z\"}";
        JsonNode partner = earn(member, body);
        assertEquals(403, partner.get("statusCode").asInt(), partner.toString());
        assertEquals("FORBIDDEN", body(partner).get("code").asText());
        assertEquals(0, rowsFor(member), "a refused expiresAt writes nothing");

        JsonNode admin = Lambda.invoke(ApiEvents.as(ApiEvents.earn(member, body, UUID.randomUUID().toString()), "ops", "points:admin"));
        assertEquals(201, admin.get("statusCode").asInt(), admin.toString());
        assertEquals("2030-02-01T00:00:00Z", body(admin).at("/lot/expiresAt").asText(), "the given expiry, not PURCHASE's 365 days");
        assertEquals(1, count("SELECT count(*) FROM lots WHERE member_id = $1 AND expires_at = '2030-02-01T00:00:00Z'", member));

        // Same request under another key: the original answer. Another expiry: a different request.
        JsonNode again = Lambda.invoke(ApiEvents.as(ApiEvents.earn(member, body, UUID.randomUUID().toString()), "ops", "points:admin"));
        assertEquals(201, again.get("statusCode").asInt(), again.toString());
        assertEquals(body(admin).get("transactionId"), body(again).get("transactionId"));
        JsonNode other = Lambda.invoke(ApiEvents.as(ApiEvents.earn(member, body.replace("2030-02-01", "2031-02-01"),
                UUID.randomUUID().toString()), "ops", "points:admin"));
        assertEquals(409, other.get("statusCode").asInt(), other.toString());
        assertEquals("REFERENCE_ALREADY_USED", body(other).get("code").asText());

        JsonNode before = Lambda.invoke(ApiEvents.as(ApiEvents.earn(member, body.replace("import-1", "import-2")
                .replace("2030-02-01T00:00:00Z", "2026-01-10T09:00:00Z"), UUID.randomUUID().toString()), "ops", "points:admin"));
        assertEquals(400, before.get("statusCode").asInt(), before.toString());
        assertEquals("expiresAt", body(before).at("/errors/0/field").asText());
    }
}
