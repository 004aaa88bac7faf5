package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.earn.EarnFunction;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.http.HttpApiResponse;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Business events and rule sets through the earn Lambda's handler (API Gateway v2 events) on
 * real PostgreSQL: the contract's worked examples, exactly once, caps under concurrency, late
 * events and bad input. Each test publishes the whole rule set it needs (the latest version is
 * what "now" earns by).
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class BusinessEventsTest extends LedgerTestSupport {
    static final String RULES = """
            {"rules":[{"id":"purchase-base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                       "caps":[{"period":"DAY","maxPoints":500}]},
                      {"id":"sign-in","event":"sign_in","pointType":"SIGN_IN","points":5,
                       "caps":[{"period":"DAY","maxEvents":1}]},
                      {"id":"app-bonus","event":"purchase","pointType":"BONUS","points":10,
                       "when":{"attributes":{"channel":["app"]},"variant":{"experiment":"boost","is":"on"}}}],
             "experiments":[{"id":"boost","variants":{"off":0,"on":100}}]}""";

    @Inject
    Db db;
    @Inject
    EarnFunction function;

    long count(String sql, Object... args) {
        return db.read(tx -> tx.query(sql, args).iterator().next().getLong(0));
    }

    static ObjectNode eventRequest(String member, String body, String key) {
        ObjectNode e = Lambda.sample("api/events.json");
        ApiEvents.path(e, "POST", "/members/" + member + "/events", "POST /members/{memberId}/events", Map.of("memberId", member));
        e.put("body", body);
        ((ObjectNode) e.get("headers")).remove("content-length");
        ((ObjectNode) e.get("headers")).put("idempotency-key", key);
        return e;
    }

    static JsonNode post(String member, String body) {
        return Lambda.invoke(eventRequest(member, body, UUID.randomUUID().toString()));
    }

    static JsonNode publish(String document) {
        ObjectNode e = Lambda.sample("api/rules-publish.json");
        e.put("body", document);
        ((ObjectNode) e.get("headers")).remove("content-length");
        ((ObjectNode) e.get("headers")).put("idempotency-key", UUID.randomUUID().toString());
        return Lambda.invoke(e);
    }

    static JsonNode rulesAsOf(Instant asOf) {
        ObjectNode e = Lambda.sample("api/rules-publish.json");
        ApiEvents.path(e, "GET", "/program/rules", "GET /program/rules", Map.of());
        e.remove("pathParameters");
        e.remove("body");
        if (asOf != null) {
            e.putObject("queryStringParameters").put("asOf", asOf.toString());
            e.put("rawQueryString", "asOf=" + asOf);
        }
        return Lambda.invoke(e);
    }

    static JsonNode simulate(String body) {
        ObjectNode e = Lambda.sample("api/rules-publish.json");
        ApiEvents.path(e, "POST", "/program/rules/simulate", "POST /program/rules/simulate", Map.of());
        e.remove("pathParameters");
        e.put("body", body);
        ((ObjectNode) e.get("headers")).put("idempotency-key", UUID.randomUUID().toString());
        return Lambda.invoke(e);
    }

    static String purchase(String reference, long amount) {
        return "{\"event\":\"purchase\",\"reference\":\"" + reference + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}";
    }

    static long version(JsonNode published) {
        assertEquals(201, published.get("statusCode").asInt(), published.toString());
        return body(published).get("version").asLong();
    }

    @Test
    void aPurchaseOf129_99Earns129AsAnEarnEntryThatNamesItsRuleVersionAndVariant() {
        long v = version(publish(RULES));
        String member = newMember();
        JsonNode r = post(member, "{\"event\":\"purchase\",\"reference\":\"order-1\",\"amount\":12999,\"currency\":\"EUR\","
                + "\"attributes\":{\"channel\":\"app\"}}");
        assertEquals(201, r.get("statusCode").asInt(), r.toString());
        JsonNode b = body(r);
        assertEquals(139, b.get("points").asLong());
        assertEquals(139, b.get("balance").asLong());
        assertEquals(v, b.get("rulesVersion").asLong());
        assertEquals("MEMBER", b.get("tier").asText());
        assertEquals(2, b.get("awards").size());
        JsonNode base = b.get("awards").get(0);
        assertEquals("purchase-base", base.get("ruleId").asText());
        assertEquals(129, base.get("points").asLong());
        assertFalse(base.get("capped").asBoolean());
        assertTrue(base.get("variant").isNull());
        JsonNode bonus = b.get("awards").get(1);
        assertEquals("app-bonus", bonus.get("ruleId").asText());
        assertEquals("on", bonus.get("variant").asText());
        assertTrue(bonus.at("/lot/expiresAt").isNull(), "BONUS never expires");
        assertEquals(2, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1 AND kind = 'EARN'"
                + " AND reference = 'order-1' AND rules_version = $2 AND rule_id IS NOT NULL", member, v));
        assertEquals(1, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1 AND rule_id = 'app-bonus'"
                + " AND variant = 'on'", member));
        assertEquals(2, count("SELECT count(*) FROM outbox WHERE member_id = $1 AND type = 'points.earned'"
                + " AND data->>'ruleId' IS NOT NULL", member));
        assertEquals(1, count("SELECT count(*) FROM business_events WHERE member_id = $1 AND variants->>'boost' = 'on'", member));

        // A direct earn may use the same reference: awards have their own namespace.
        JsonNode direct = Lambda.invoke(ApiEvents.earn(member, "{\"points\":5,\"type\":\"PROMO\",\"reference\":\"order-1\"}",
                UUID.randomUUID().toString()));
        assertEquals(201, direct.get("statusCode").asInt(), direct.toString());
    }

    @Test
    void signInTwiceADayEarnsFiveThenNothingAndTheSecondIsStillRecorded() {
        publish(RULES);
        String member = newMember();
        JsonNode first = body(post(member, "{\"event\":\"sign_in\",\"reference\":\"s-1\"}"));
        assertEquals(5, first.get("points").asLong());
        JsonNode second = post(member, "{\"event\":\"sign_in\",\"reference\":\"s-2\"}");
        assertEquals(201, second.get("statusCode").asInt());
        assertEquals(0, body(second).get("points").asLong());
        assertEquals(0, body(second).get("awards").size());
        assertEquals(5, body(second).get("balance").asLong());
        assertEquals(2, count("SELECT count(*) FROM business_events WHERE member_id = $1", member));
        assertEquals(2, count("SELECT events FROM cap_usage WHERE member_id = $1 AND rule_id = 'sign-in'", member));
    }

    @Test
    void theDailyCapOf500CutsAtTheBoundaryWithCappedTrue() {
        publish(RULES);
        String member = newMember();
        long[] expected = {129, 129, 129, 113, 0};
        for (int i = 0; i < expected.length; i++) {
            JsonNode b = body(post(member, purchase("o-" + i, 12_999)));
            assertEquals(expected[i], b.get("points").asLong(), b.toString());
            if (i == 3) {
                assertTrue(b.at("/awards/0/capped").asBoolean());
            }
        }
        assertEquals(500, count("SELECT balance FROM accounts WHERE member_id = $1", member));
    }

    @Test
    void theSameEventAppliesOnceAndAChangedOneIsRefused() {
        publish(RULES);
        String member = newMember();
        JsonNode first = post(member, purchase("order-9", 5_000));
        JsonNode again = post(member, purchase("order-9", 5_000));
        assertEquals(201, again.get("statusCode").asInt());
        assertEquals("true", ApiEvents.headers(again).get("idempotent-replayed"));
        assertEquals(body(first), body(again));
        JsonNode changed = post(member, purchase("order-9", 6_000));
        assertEquals(409, changed.get("statusCode").asInt(), changed.toString());
        assertEquals("REFERENCE_ALREADY_USED", body(changed).get("code").asText());
        assertEquals(body(first).at("/awards/0/transactionId").asText(), body(changed).get("transactionId").asText());
        assertEquals(1, count("SELECT count(*) FROM ledger_entries WHERE member_id = $1", member));
    }

    @Test
    void aLateEventEarnsByTheVersionInForceAtItsOccurredAt() throws Exception {
        JsonNode old = publish(RULES.replace("\"points\":1,\"perAmount\":100", "\"points\":2,\"perAmount\":100"));
        long oldVersion = version(old);
        Instant oldFrom = Instant.parse(body(old).get("effectiveFrom").asText());
        Thread.sleep(20);
        JsonNode current = publish(RULES);
        Instant newFrom = Instant.parse(body(current).get("effectiveFrom").asText());
        Instant between = oldFrom.plus(Duration.between(oldFrom, newFrom).dividedBy(2));
        String member = newMember();
        JsonNode late = body(post(member, "{\"event\":\"purchase\",\"reference\":\"late-1\",\"amount\":10000,"
                + "\"occurredAt\":\"" + between + "\"}"));
        assertEquals(oldVersion, late.get("rulesVersion").asLong());
        assertEquals(200, late.get("points").asLong());
        JsonNode now = body(post(member, purchase("now-1", 10_000)));
        assertEquals(version(current), now.get("rulesVersion").asLong());
        assertEquals(100, now.get("points").asLong());
        assertEquals(oldVersion, body(rulesAsOf(between)).get("version").asLong());
        // An earlier effectiveFrom than the latest version's: 409, nothing published.
        long versions = count("SELECT count(*) FROM rule_sets");
        JsonNode conflict = publish(RULES.replace("{\"rules\"", "{\"effectiveFrom\":\"" + between + "\",\"rules\""));
        assertEquals(409, conflict.get("statusCode").asInt(), conflict.toString());
        assertEquals("RULES_VERSION_CONFLICT", body(conflict).get("code").asText());
        assertEquals(versions, count("SELECT count(*) FROM rule_sets"));
    }

    @Test
    void badInputIs400AndChangesNothing() {
        publish(RULES);
        long versions = count("SELECT count(*) FROM rule_sets");
        String member = newMember();
        StringBuilder attributes = new StringBuilder("{");
        for (int i = 0; i < 21; i++) {
            attributes.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        attributes.append('}');
        Map<String, String> cases = Map.of(
                "{\"event\":\"purchse\",\"reference\":\"b-1\",\"amount\":100}", "event",
                "{\"event\":\"Purchase\",\"reference\":\"b-2\",\"amount\":100}", "event",
                "{\"event\":\"purchase\",\"reference\":\"b-3\",\"amount\":0}", "amount",
                "{\"event\":\"purchase\",\"reference\":\"b-4\",\"amount\":1000000000001}", "amount",
                "{\"event\":\"purchase\",\"reference\":\"b-5\",\"amount\":100,\"attributes\":" + attributes + "}", "attributes",
                "{\"event\":\"purchase\",\"reference\":\"b-6\"}", "amount");
        cases.forEach((body, field) -> {
            JsonNode r = post(member, body);
            assertEquals(400, r.get("statusCode").asInt(), body + " -> " + r);
            assertEquals("VALIDATION_FAILED", body(r).get("code").asText());
            assertEquals(field, body(r).at("/errors/0/field").asText(), r.toString());
        });
        assertEquals(0, count("SELECT count(*) FROM accounts WHERE member_id = $1", member), "no account was created");

        JsonNode duplicate = publish("""
                {"rules":[{"id":"a","event":"purchase","pointType":"PURCHASE","points":1},
                          {"id":"a","event":"sign_in","pointType":"GEMS","points":5,"caps":[{"period":"YEAR","maxEvents":1}]}]}""");
        assertEquals(400, duplicate.get("statusCode").asInt(), duplicate.toString());
        List<String> paths = new ArrayList<>();
        body(duplicate).get("errors").forEach(e -> paths.add(e.get("field").asText()));
        assertTrue(paths.containsAll(List.of("rules[1].id", "rules[1].pointType", "rules[1].caps[0].period")), paths.toString());
        assertEquals(versions, count("SELECT count(*) FROM rule_sets"), "nothing published");

        // A member cannot award itself, even with points:earn.
        ObjectNode self = ApiEvents.as(eventRequest(member, purchase("self-1", 100), "k-self-" + member), member, "points:earn");
        assertEquals(403, Lambda.invoke(self).get("statusCode").asInt());
    }

    @Test
    void simulateAnswersWhatEventsWouldAndWritesNothing() {
        publish(RULES);
        String member = newMember();
        post(member, purchase("sim-0", 40_000));
        JsonNode sim = simulate("{\"memberId\":\"" + member + "\",\"event\":" + purchase("sim-1", 20_000) + "}");
        assertEquals(200, sim.get("statusCode").asInt(), sim.toString());
        assertEquals(100, body(sim).get("points").asLong(), "the cap usage is real: 400 of 500 used");
        assertTrue(body(sim).at("/awards/0/capped").asBoolean());
        JsonNode draft = simulate("{\"memberId\":\"" + member + "\",\"tier\":\"GOLD\",\"event\":" + purchase("sim-1", 20_000)
                + ",\"rules\":{\"rules\":[{\"id\":\"gold\",\"event\":\"purchase\",\"pointType\":\"PROMO\",\"points\":3,"
                + "\"perAmount\":100,\"when\":{\"tiers\":[\"GOLD\"]}}]}}");
        assertEquals(200, draft.get("statusCode").asInt(), draft.toString());
        assertEquals(900, body(draft).get("points").asLong(), "floor(600 * 1.5)");
        assertEquals(1, count("SELECT count(*) FROM business_events WHERE member_id = $1", member));
        assertEquals(400, count("SELECT balance FROM accounts WHERE member_id = $1", member));
    }

    /** 20 events race for the last 10 points of a cap: the member's row lock serialises them. */
    @Test
    void twentyParallelEventsRaceForTheLastTenPointsOfACap() throws Exception {
        publish(RULES);
        String member = newMember();
        assertEquals(490, body(post(member, purchase("warm-up", 49_000))).get("points").asLong());
        List<HttpApiEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(Lambda.JSON.treeToValue(eventRequest(member, purchase("race-" + i, 10_000), UUID.randomUUID().toString()),
                    HttpApiEvent.class));
        }
        ExecutorService pool = Executors.newFixedThreadPool(events.size());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpApiResponse>> futures = new ArrayList<>();
        for (HttpApiEvent e : events) {
            futures.add(pool.submit(() -> {
                start.await();
                return function.earn(e);
            }));
        }
        start.countDown();
        long awarded = 0;
        int capped = 0;
        for (Future<HttpApiResponse> f : futures) {
            HttpApiResponse r = f.get();
            assertEquals(201, r.statusCode(), r.body());
            JsonNode b = Lambda.JSON.readTree(r.body());
            awarded += b.get("points").asLong();
            if (b.get("points").asLong() > 0) {
                capped += b.at("/awards/0/capped").asBoolean() ? 1 : 0;
            }
        }
        pool.shutdown();
        assertEquals(10, awarded);
        assertEquals(1, capped);
        assertEquals(500, count("SELECT balance FROM accounts WHERE member_id = $1", member));
        assertEquals(500, count("SELECT points FROM cap_usage WHERE member_id = $1 AND rule_id = 'purchase-base'", member));
        assertEquals(21, count("SELECT events FROM cap_usage WHERE member_id = $1 AND rule_id = 'purchase-base'", member));
    }
}
