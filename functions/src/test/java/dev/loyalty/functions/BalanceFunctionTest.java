package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balance Lambda through its handler. Data is seeded through the earn service (the earn
 * Lambda's own code path; the earn handler itself is covered by EarnFunctionTest, and the two
 * Lambdas together end to end by the local runner's test).
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class BalanceFunctionTest extends LedgerTestSupport {
    @Inject
    EarnService earn;

    void seed(String member, long points, String type, String reference, Instant occurredAt) {
        EarnResult r = earn.earn(new EarnCommand(member, points, type, reference, occurredAt, null));
        assertInstanceOf(EarnResult.Applied.class, r);
    }

    JsonNode get(com.fasterxml.jackson.databind.node.ObjectNode event, int status) {
        JsonNode r = Lambda.invoke(event);
        assertEquals(status, r.get("statusCode").asInt(), r.toString());
        return body(r);
    }

    @Test
    void balanceShowsTypesAvailableAndNextExpiries() {
        String member = newMember();
        Instant now = Instant.now();
        seed(member, 300, "PURCHASE", "p1", null);
        seed(member, 40, "SIGN_IN", "s1", null);
        seed(member, 7, "BONUS", "b1", null);
        // Earned 40 days ago: its 30-day expiry has passed but no sweep has run yet.
        seed(member, 25, "SIGN_IN", "s-old", now.minus(40, ChronoUnit.DAYS));

        JsonNode b = get(ApiEvents.balance(member), 200);
        assertEquals(member, b.get("memberId").asText());
        assertEquals(372, b.get("balance").asLong(), "the ledger balance still holds the unswept lot");
        assertEquals(347, b.get("available").asLong(), "expired points are never available");
        assertEquals(0, b.get("held").asLong());
        assertEquals(300, b.at("/byType/PURCHASE").asLong());
        assertEquals(40, b.at("/byType/SIGN_IN").asLong());
        assertEquals(7, b.at("/byType/BONUS").asLong());
        JsonNode expiring = b.get("expiring");
        assertEquals(2, expiring.size());
        assertEquals(40, expiring.get(0).get("points").asLong(), "SIGN_IN expires first");
        assertEquals(300, expiring.get(1).get("points").asLong());
        assertTrue(Instant.parse(expiring.get(0).get("expiresAt").asText())
                .isBefore(Instant.parse(expiring.get(1).get("expiresAt").asText())));
    }

    @Test
    void historyPagesNewestFirstWithFilters() {
        String member = newMember();
        for (int i = 1; i <= 5; i++) {
            seed(member, i * 10L, i % 2 == 0 ? "PROMO" : "PURCHASE", "ref-" + i, null);
        }
        List<String> references = new ArrayList<>();
        List<Long> balances = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, String> q = new HashMap<>(Map.of("limit", "2"));
            if (cursor != null) {
                q.put("cursor", cursor);
            }
            JsonNode page = get(ApiEvents.history(member, q), 200);
            page.get("items").forEach(item -> {
                references.add(item.get("reference").asText());
                balances.add(item.get("balanceAfter").asLong());
                assertEquals("EARN", item.get("kind").asText());
            });
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(3, pages);
        assertEquals(List.of("ref-5", "ref-4", "ref-3", "ref-2", "ref-1"), references);
        assertEquals(List.of(150L, 100L, 60L, 30L, 10L), balances);

        JsonNode promo = get(ApiEvents.history(member, Map.of("type", "PROMO")), 200);
        assertEquals(2, promo.get("items").size());
        assertTrue(promo.get("nextCursor").isNull());
        assertEquals(0, get(ApiEvents.history(member, Map.of("kind", "REDEEM")), 200).get("items").size());
        String future = Instant.now().plus(1, ChronoUnit.HOURS).toString();
        assertEquals(0, get(ApiEvents.history(member, Map.of("from", future)), 200).get("items").size());
        assertEquals(5, get(ApiEvents.history(member, Map.of("to", future)), 200).get("items").size());
        JsonNode item = get(ApiEvents.history(member, Map.of("limit", "1")), 200).at("/items/0");
        for (String field : List.of("transactionId", "kind", "points", "balanceAfter", "type", "reference",
                "occurredAt", "recordedAt", "description")) {
            assertTrue(item.has(field), "history item has " + field);
        }
    }

    @Test
    void badQueriesAreValidationErrors() {
        String member = newMember();
        seed(member, 1, "PURCHASE", "r", null);
        for (Map<String, String> q : List.of(Map.of("limit", "0"), Map.of("limit", "201"), Map.of("limit", "ten"),
                Map.of("cursor", "not-a-cursor"), Map.of("kind", "GIFT"), Map.of("type", "GOLD"), Map.of("from", "monday"),
                Map.of("from", "2026-02-01T00:00:00Z", "to", "2026-01-01T00:00:00Z"))) {
            JsonNode problem = get(ApiEvents.history(member, q), 400);
            assertEquals("VALIDATION_FAILED", problem.get("code").asText(), q.toString());
            assertEquals(1, problem.get("errors").size());
        }
    }

    @Test
    void unknownMemberIs404AndOthersAre403() {
        String member = newMember();
        JsonNode nf = get(ApiEvents.as(ApiEvents.balance(member), member, null), 404);
        assertEquals("MEMBER_NOT_FOUND", nf.get("code").asText());
        assertEquals("MEMBER_NOT_FOUND", get(ApiEvents.as(ApiEvents.history(member, Map.of()), member, null), 404)
                .get("code").asText());
        seed(member, 5, "PURCHASE", "r", null);
        assertEquals("FORBIDDEN", get(ApiEvents.as(ApiEvents.balance(member), "someone-else", null), 403)
                .get("code").asText());
        assertEquals("FORBIDDEN", get(ApiEvents.as(ApiEvents.balance(member), "partner", "points:earn"), 403)
                .get("code").asText());
        assertEquals(5, get(ApiEvents.as(ApiEvents.balance(member), "ops", "points:admin"), 200).get("balance").asLong());
        assertEquals(401, Lambda.invoke(ApiEvents.anonymous(ApiEvents.balance(member))).get("statusCode").asInt());
    }
}
