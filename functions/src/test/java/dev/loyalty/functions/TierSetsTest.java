package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tier set versions through the earn Lambda's handler on real PostgreSQL: publish, read as of an instant, refusals. */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class TierSetsTest extends LedgerTestSupport {
    @Inject
    Db db;

    long versions() {
        return db.read(tx -> tx.query("SELECT count(*) FROM tier_sets").iterator().next().getLong(0));
    }

    static JsonNode publish(String document) {
        ObjectNode e = Lambda.sample("api/tiers-publish.json");
        if (document != null) {
            e.put("body", document);
            ((ObjectNode) e.get("headers")).remove("content-length");
        }
        ((ObjectNode) e.get("headers")).put("idempotency-key", java.util.UUID.randomUUID().toString());
        return Lambda.invoke(e);
    }

    static JsonNode tiersAsOf(Instant asOf) {
        ObjectNode e = Lambda.sample("api/tiers-publish.json");
        ApiEvents.path(e, "GET", "/program/tiers", "GET /program/tiers", Map.of());
        e.remove("pathParameters");
        e.remove("body");
        if (asOf != null) {
            e.putObject("queryStringParameters").put("asOf", asOf.toString());
            e.put("rawQueryString", "asOf=" + asOf);
        }
        return Lambda.invoke(e);
    }

    /** The contract's example has real tiers now: put Part 1's one-tier set back for the tests after this one. */
    @org.junit.jupiter.api.AfterEach
    void defaultTiersAgain() {
        publish(MemberTiersTest.DEFAULT);
    }

    @Test
    void publishedVersionsAreReadAsOfAnInstant() {
        JsonNode seeded = body(tiersAsOf(Instant.parse("2001-01-01T00:00:00Z")));
        assertEquals(1, seeded.get("version").asLong(), seeded.toString());
        assertEquals("MEMBER", seeded.at("/tiers/0/name").asText());
        assertEquals(1, seeded.get("tiers").size());

        JsonNode created = publish(null); // the sample: the contract's example
        assertEquals(201, created.get("statusCode").asInt(), created.toString());
        long version = body(created).get("version").asLong();
        Instant from = Instant.parse(body(created).get("effectiveFrom").asText());
        JsonNode now = tiersAsOf(null);
        assertEquals(200, now.get("statusCode").asInt(), now.toString());
        JsonNode set = body(now);
        assertEquals(version, set.get("version").asLong());
        assertEquals("ROLLING_12_MONTHS", set.at("/qualifying/window").asText());
        assertEquals("PURCHASE", set.at("/qualifying/pointTypes/0").asText());
        assertEquals("GOLD", set.at("/tiers/2/name").asText());
        assertEquals(5000, set.at("/tiers/2/threshold").asLong());
        assertEquals(15000, set.at("/tiers/2/earnMultiplierBp").asInt());
        assertEquals(10000, set.at("/tiers/0/earnMultiplierBp").asInt(), "the default multiplier is stored explicitly");
        assertEquals(30, set.at("/downgrade/graceDays").asInt());
        assertEquals(true, body(tiersAsOf(from.minusSeconds(1))).get("version").asLong() < version, "the version before it");

        // An earlier effectiveFrom than the latest version's: 409, nothing published.
        long before = versions();
        JsonNode conflict = publish("{\"effectiveFrom\":\"" + from.minusSeconds(3600) + "\","
                + "\"qualifying\":{\"window\":\"CALENDAR_YEAR\",\"pointTypes\":[\"PURCHASE\"]},\"tiers\":[{\"name\":\"MEMBER\",\"threshold\":0}]}");
        assertEquals(409, conflict.get("statusCode").asInt(), conflict.toString());
        assertEquals("RULES_VERSION_CONFLICT", body(conflict).get("code").asText());
        assertEquals(before, versions());
    }

    @Test
    void anInvalidTierSetIs400WithEveryErrorsPathAndPublishesNothing() {
        long before = versions();
        JsonNode bad = publish("""
                {"qualifying":{"window":"WEEKLY","pointTypes":["GEMS"]},
                 "tiers":[{"name":"MEMBER","threshold":5},{"name":"SILVER","threshold":1000,"earnMultiplierBp":200000}],
                 "downgrade":{"graceDays":-1}}""");
        assertEquals(400, bad.get("statusCode").asInt(), bad.toString());
        assertEquals("VALIDATION_FAILED", body(bad).get("code").asText());
        List<String> paths = new ArrayList<>();
        body(bad).get("errors").forEach(e -> paths.add(e.get("field").asText()));
        assertEquals(List.of("qualifying.window", "qualifying.pointTypes[0]", "tiers[0].threshold", "tiers[1].earnMultiplierBp",
                "downgrade.graceDays"), paths);
        assertEquals(before, versions());
    }

    @Test
    void onlyAdminsPublishOrRead() {
        long before = versions();
        JsonNode partner = Lambda.invoke(ApiEvents.as(Lambda.sample("api/tiers-publish.json"), "partner-1", "points:earn"));
        assertEquals(403, partner.get("statusCode").asInt(), partner.toString());
        ObjectNode read = Lambda.sample("api/tiers-publish.json");
        ApiEvents.path(read, "GET", "/program/tiers", "GET /program/tiers", Map.of());
        read.remove("pathParameters");
        read.remove("body");
        assertEquals(403, Lambda.invoke(ApiEvents.as(read, "m-1", null)).get("statusCode").asInt());
        assertEquals(before, versions());
    }
}
