package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A rule set's {@code when.tiers} is validated against the tier set versions in force from its
 * effectiveFrom on (the one in force then and every later one published so far): a name none of
 * them has refuses the rule set whole (400 VALIDATION_FAILED, the error at the name's path,
 * nothing published).
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class RuleSetTierNamesTest extends LedgerTestSupport {
    static final String PLATINUM = """
            {"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE"]},
             "tiers":[{"name":"MEMBER","threshold":0},{"name":"SILVER","threshold":1000,"earnMultiplierBp":12500},
                      {"name":"PLATINUM","threshold":5000,"earnMultiplierBp":20000}],
             "downgrade":{"graceDays":30}}""";

    @Inject
    Db db;
    @Inject
    TierSets tierSets;

    @AfterEach
    void defaultTiersAgain() {
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.DEFAULT, Instant.now());
    }

    static String rules(String... tiers) {
        return """
                {"rules":[{"id":"base","event":"purchase","pointType":"PURCHASE","points":1},
                          {"id":"tiered","event":"purchase","pointType":"BONUS","points":2,"when":{"tiers":[%s]}}]}"""
                .formatted(String.join(",", java.util.Arrays.stream(tiers).map(t -> "\"" + t + "\"").toList()));
    }

    static JsonNode publish(String document) {
        return ProgramPublicationsTest.put("api/rules-publish.json", document, UUID.randomUUID().toString());
    }

    long versions() {
        return db.read(tx -> tx.query("SELECT count(*) FROM rule_sets").iterator().next().getLong(0));
    }

    static List<String> fields(JsonNode answer) {
        List<String> out = new ArrayList<>();
        body(answer).get("errors").forEach(e -> out.add(e.get("field").asText()));
        return out;
    }

    @Test
    void aTierNoTierSetInForceFromTheRuleSetsEffectiveFromHasRefusesItWhole() {
        // In force now: MEMBER, SILVER, GOLD.
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.ROLLING, Instant.now());
        long before = versions();
        JsonNode unknown = publish(rules("SILVER", "PLATINUM"));
        assertEquals(400, unknown.get("statusCode").asInt(), unknown.toString());
        assertEquals("VALIDATION_FAILED", body(unknown).get("code").asText());
        assertEquals(List.of("rules[1].when.tiers[1]"), fields(unknown));
        assertEquals(before, versions(), "nothing published");
        assertEquals(201, publish(rules("SILVER", "GOLD")).get("statusCode").asInt());
        assertEquals(before + 1, versions());

        // A later tier set version, published now for a moment from now, renames GOLD to PLATINUM:
        // a rule set in force from now spans both, so it may name either.
        Instant later = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusSeconds(2);
        var set = switch (tierSets.parse(new io.vertx.core.json.JsonObject(PLATINUM).getMap())) {
            case dev.loyalty.core.tiers.TierSetParser.Result.Parsed p -> p.tierSet();
            case dev.loyalty.core.tiers.TierSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        assertInstanceOf(TierSets.Published.Created.class, tierSets.publish(set, later, Instant.now(), "test"));
        JsonNode spanning = publish(rules("GOLD", "PLATINUM"));
        assertEquals(201, spanning.get("statusCode").asInt(), spanning.toString());
        JsonNode neither = publish(rules("GOLD", "DIAMOND"));
        assertEquals(List.of("rules[1].when.tiers[1]"), fields(neither), neither.toString());

        // Once the PLATINUM set is in force, GOLD is no tier of any set from then on.
        while (!Instant.now().isAfter(later)) {
            Thread.onSpinWait();
        }
        JsonNode gone = publish(rules("SILVER", "GOLD"));
        assertEquals(400, gone.get("statusCode").asInt(), gone.toString());
        assertEquals(List.of("rules[1].when.tiers[1]"), fields(gone));
        assertEquals(201, publish(rules("PLATINUM")).get("statusCode").asInt());
        assertEquals(before + 3, versions(), "the two accepted after the first, nothing of the refused ones");

        // From before any tier set was in force: validated against the later ones, then refused
        // as any version earlier than the latest (409), never a 500.
        String early = rules("PLATINUM").replaceFirst("\\{\"rules\"", "{\"effectiveFrom\":\"1990-01-01T00:00:00Z\",\"rules\"");
        JsonNode tooEarly = publish(early);
        assertEquals(409, tooEarly.get("statusCode").asInt(), tooEarly.toString());
        assertEquals("RULES_VERSION_CONFLICT", body(tooEarly).get("code").asText());
        assertEquals(before + 3, versions());
    }
}
