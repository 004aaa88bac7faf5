package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.rules.BusinessEvent;
import dev.loyalty.core.rules.RuleSetParser;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.program.EventResult;
import dev.loyalty.functions.program.EventService;
import dev.loyalty.functions.program.RuleSets;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.TierReview;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issue's worked examples on real PostgreSQL: writes through the services, reads through the
 * balance Lambda's handler ({@code GET /members/{id}/tier}, {@code tier} in the balance), time
 * moved forward with the test clock. Each test publishes its tier set at the real now and puts
 * the one-tier default back afterwards, so other tests see Part 1's behaviour.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class MemberTiersTest extends LedgerTestSupport {
    static final String ROLLING = """
            {"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE"]},
             "tiers":[{"name":"MEMBER","threshold":0},{"name":"SILVER","threshold":1000,"earnMultiplierBp":12500},
                      {"name":"GOLD","threshold":5000,"earnMultiplierBp":15000}],
             "downgrade":{"graceDays":30}}""";
    static final String DEFAULT = """
            {"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE"]},"tiers":[{"name":"MEMBER","threshold":0}],
             "downgrade":{"graceDays":0}}""";

    @Inject
    Db db;
    @Inject
    TierSets tierSets;
    @Inject
    RuleSets ruleSets;
    @Inject
    EarnService earn;
    @Inject
    EventService events;
    @Inject
    SpendService spend;
    @Inject
    TierReview review;

    @AfterEach
    void defaultTiersAgain() {
        TestClock.release();
        publish(DEFAULT, Instant.now());
    }

    /** Publishes a tier set at {@code from}; returns {@code from}. */
    Instant publish(String document, Instant from) {
        return MemberTiersTestSupport.publish(tierSets, document, from);
    }

    UUID earn(String member, long points, String reference, Instant occurredAt) {
        EarnResult r = earn.earn(new EarnCommand(member, points, "PURCHASE", reference, occurredAt, null));
        return assertInstanceOf(EarnResult.Applied.class, r, r.toString()).receipt().transactionId();
    }

    static JsonNode tier(String member) {
        JsonNode r = Lambda.invoke(ApiEvents.tier(member));
        assertEquals(200, r.get("statusCode").asInt(), r.toString());
        return body(r);
    }

    List<String> tierEvents(String member) {
        return MemberTiersTestSupport.tierEvents(db, member);
    }

    @Test
    void nineHundredNinetyNineThenOneIsSilverAtOnce() {
        Instant t0 = publish(ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String m = newMember();
        TestClock.pin(t0.plusSeconds(10));
        earn(m, 999, "a", null);
        JsonNode before = tier(m);
        assertEquals("MEMBER", before.get("name").asText(), before.toString());
        assertEquals(999, before.get("qualifyingPoints").asLong());
        assertEquals("SILVER", before.at("/next/name").asText());
        assertEquals(1, before.at("/next/pointsNeeded").asLong());
        assertTrue(before.get("downgradeAt").isNull());

        Instant crossing = t0.plusSeconds(20);
        TestClock.pin(crossing);
        earn(m, 1, "b", null);
        JsonNode after = tier(m);
        assertEquals("SILVER", after.get("name").asText(), after.toString());
        assertEquals(1000, after.get("qualifyingPoints").asLong());
        assertEquals(crossing.toString(), after.get("since").asText());
        assertEquals("GOLD", after.at("/next/name").asText());
        assertEquals(4000, after.at("/next/pointsNeeded").asLong());
        assertEquals(1, after.get("history").size());
        assertEquals("QUALIFIED", after.at("/history/0/reason").asText());
        assertEquals(List.of("MEMBER>SILVER:QUALIFIED"), tierEvents(m));
        // The write keeps the points it evaluated with (V24: what the review's settled check reads).
        assertEquals(1000L, db.read(tx -> tx.one("SELECT qualifying_points FROM member_tiers WHERE member_id = $1",
                r -> r.getLong(0), m)).orElseThrow());
        JsonNode balance = body(Lambda.invoke(ApiEvents.balance(m)));
        assertEquals("SILVER", balance.at("/tier/name").asText(), balance.toString());
        assertEquals(1000, balance.at("/tier/qualifyingPoints").asLong());

        // Other point types, spending and a replay do not move qualification.
        EarnResult bonus = earn.earn(new EarnCommand(m, 5000, "BONUS", "c", null, null));
        assertInstanceOf(EarnResult.Applied.class, bonus);
        assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(m),
                new dev.loyalty.core.spend.RedeemCommand(5500, "r", null)));
        assertInstanceOf(EarnResult.AlreadyApplied.class, earn.earn(new EarnCommand(m, 1, "PURCHASE", "b", null, null)));
        assertEquals(1000, tier(m).get("qualifyingPoints").asLong());
        assertEquals(List.of("MEMBER>SILVER:QUALIFIED"), tierEvents(m));
    }

    @Test
    void theCrossingAwardEarnsWithTheOldMultiplierTheNextWithTheNew() {
        Instant t0 = publish(ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        var rules = switch (ruleSets.parse(new JsonObject("""
                {"rules":[{"id":"tier-test-buy","event":"tier_test_buy","pointType":"PURCHASE","points":1,"perAmount":100}]}
                """).getMap())) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        assertInstanceOf(RuleSets.Published.Created.class, ruleSets.publish(rules, t0, t0, "test"));
        String m = newMember();
        TestClock.pin(t0.plusSeconds(10));
        earn(m, 900, "base", null);
        // 200 points at MEMBER (1x) cross 1,000: SILVER at once, but this award is not multiplied.
        Map<String, Object> first = recorded(m, "buy-1", 20_000);
        assertEquals(200L, ((Number) first.get("points")).longValue(), first.toString());
        assertEquals("SILVER", first.get("tier"));
        // The next one earns at SILVER's 1.25x.
        Map<String, Object> second = recorded(m, "buy-2", 20_000);
        assertEquals(250L, ((Number) second.get("points")).longValue(), second.toString());
        assertEquals(1350, tier(m).get("qualifyingPoints").asLong());
        assertEquals(List.of("MEMBER>SILVER:QUALIFIED"), tierEvents(m));
    }

    Map<String, Object> recorded(String member, String reference, long amount) {
        EventResult r = events.record(new BusinessEvent(member, "tier_test_buy", reference, null, amount, "EUR", null, null));
        return assertInstanceOf(EventResult.Recorded.class, r, r.toString()).answer();
    }

    @Test
    void aTakeBackBelowGoldKeepsGoldForTheGraceDaysThenSilver() {
        Instant t0 = publish(ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String m = newMember();
        TestClock.pin(t0.plusSeconds(10));
        UUID big = earn(m, 5200, "big", null);
        assertEquals("GOLD", tier(m).get("name").asText());
        Instant reversedAt = t0.plusSeconds(3600);
        TestClock.pin(reversedAt);
        // A return-like take-back (a partial reversal of the earn): 4,900 qualifying, below GOLD.
        assertInstanceOf(SpendResult.Done.class, spend.reverse(new MemberId(m), new ReversalCommand(big, 300L, "rv", "return")));
        JsonNode graced = tier(m);
        assertEquals("GOLD", graced.get("name").asText(), graced.toString());
        assertEquals(4900, graced.get("qualifyingPoints").asLong());
        Instant downgradeAt = reversedAt.plus(Duration.ofDays(30));
        assertEquals(downgradeAt.toString(), graced.get("downgradeAt").asText());

        TestClock.pin(downgradeAt.minusSeconds(1));
        assertEquals("GOLD", tier(m).get("name").asText());
        review.run(100, 10_000, Integer.MAX_VALUE);
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED"), tierEvents(m), "the review changes nothing before the grace ends");

        // The grace is over: reads show SILVER before the review has run.
        TestClock.pin(downgradeAt.plusSeconds(60));
        JsonNode dropped = tier(m);
        assertEquals("SILVER", dropped.get("name").asText(), dropped.toString());
        assertEquals(downgradeAt.toString(), dropped.get("since").asText());
        assertTrue(dropped.get("downgradeAt").isNull());
        // A take-back started the grace: the drop is recorded with reason RETURN (a return or a reversal).
        assertEquals("RETURN", dropped.at("/history/1/reason").asText(), dropped.toString());
        assertEquals(downgradeAt.toString(), dropped.at("/history/1/at").asText());
        assertEquals("SILVER", body(Lambda.invoke(ApiEvents.balance(m))).at("/tier/name").asText());
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED"), tierEvents(m), "not recorded yet");

        // The review records it once; a second run changes nothing.
        review.run(100, 10_000, Integer.MAX_VALUE);
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED", "GOLD>SILVER:RETURN"), tierEvents(m));
        review.run(100, 10_000, Integer.MAX_VALUE);
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED", "GOLD>SILVER:RETURN"), tierEvents(m));
        JsonNode recorded = tier(m);
        assertEquals(2, recorded.get("history").size(), recorded.toString());
        assertEquals("SILVER", recorded.get("name").asText());
    }

    /**
     * The issue's worked example with a real return: a purchase event's award makes the member
     * GOLD (5,200); returning a part of it takes back 300 qualifying points (4,900): GOLD is kept
     * for the 30 grace days, then SILVER, recorded (by the review) with reason RETURN.
     */
    @Test
    void aReturnBelowGoldKeepsGoldForTheGraceDaysThenSilverWithReasonReturn() {
        Instant t0 = publish(ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        var rules = switch (ruleSets.parse(new JsonObject("""
                {"rules":[{"id":"tier-test-buy","event":"tier_test_buy","pointType":"PURCHASE","points":1,"perAmount":100}]}
                """).getMap())) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        assertInstanceOf(RuleSets.Published.Created.class, ruleSets.publish(rules, t0, t0, "test"));
        String m = newMember();
        TestClock.pin(t0.plusSeconds(10));
        Map<String, Object> bought = recorded(m, "order-gold", 520_000);
        assertEquals(5200L, ((Number) bought.get("points")).longValue(), bought.toString());
        assertEquals("GOLD", tier(m).get("name").asText());

        Instant returnedAt = t0.plusSeconds(7200);
        TestClock.pin(returnedAt);
        // 30,000 of 520,000 minor units come back: floor(5,200 * 30,000 / 520,000) = 300 points.
        EventResult r = events.recordReturn(new dev.loyalty.core.returns.ReturnCommand(m, "ret-gold", "order-gold", 30_000L,
                null, null));
        assertInstanceOf(EventResult.Recorded.class, r, r.toString());
        JsonNode graced = tier(m);
        assertEquals("GOLD", graced.get("name").asText(), graced.toString());
        assertEquals(4900, graced.get("qualifyingPoints").asLong());
        Instant downgradeAt = returnedAt.plus(Duration.ofDays(30));
        assertEquals(downgradeAt.toString(), graced.get("downgradeAt").asText());

        TestClock.pin(downgradeAt.minusSeconds(1));
        review.run(100, 10_000, Integer.MAX_VALUE);
        assertEquals("GOLD", tier(m).get("name").asText());
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED"), tierEvents(m));

        TestClock.pin(downgradeAt.plusSeconds(60));
        JsonNode dropped = tier(m);
        assertEquals("SILVER", dropped.get("name").asText(), dropped.toString());
        assertEquals("RETURN", dropped.at("/history/1/reason").asText(), dropped.toString());
        assertEquals(downgradeAt.toString(), dropped.at("/history/1/at").asText());
        review.run(100, 10_000, Integer.MAX_VALUE);
        review.run(100, 10_000, Integer.MAX_VALUE);
        assertEquals(List.of("MEMBER>GOLD:QUALIFIED", "GOLD>SILVER:RETURN"), tierEvents(m));
        assertEquals(List.of("GOLD>SILVER:RETURN@" + downgradeAt), db.read(tx -> tx.list(
                "SELECT from_tier || '>' || to_tier || ':' || reason AS h, at FROM member_tier_history"
                        + " WHERE member_id = $1 AND position = 2",
                row -> row.getString("h") + "@" + dev.loyalty.functions.store.Tx.instant(row, "at"), m)));
    }

    @Test
    void theRollingWindowMovesPastOldEarns() {
        Instant t0 = publish(ROLLING, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        String m = newMember();
        TestClock.pin(t0.plusSeconds(10));
        LocalDate day = LocalDate.ofInstant(t0.plusSeconds(10), ZoneOffset.UTC);
        earn(m, 1200, "old", null);
        assertEquals("SILVER", tier(m).get("name").asText());
        // The last day the earn counts: a year after it, less a day.
        TestClock.pin(day.plusYears(1).minusDays(1).atTime(23, 59).toInstant(ZoneOffset.UTC));
        JsonNode last = tier(m);
        assertEquals(1200, last.get("qualifyingPoints").asLong(), last.toString());
        assertTrue(last.get("downgradeAt").isNull());
        // It left the window at the start of that day: below SILVER since then, 30 days' grace.
        Instant left = day.plusYears(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        TestClock.pin(left.plusSeconds(60));
        JsonNode out = tier(m);
        assertEquals(0, out.get("qualifyingPoints").asLong(), out.toString());
        assertEquals("SILVER", out.get("name").asText());
        assertEquals(left.plus(Duration.ofDays(30)).toString(), out.get("downgradeAt").asText());
        TestClock.pin(left.plus(Duration.ofDays(30)).plusSeconds(1));
        assertEquals("MEMBER", tier(m).get("name").asText());
        // An earn now re-qualifies at once, and the grace change is recorded before it.
        earn(m, 1000, "new", null);
        assertEquals(List.of("MEMBER>SILVER:QUALIFIED", "SILVER>MEMBER:GRACE_ENDED", "MEMBER>SILVER:QUALIFIED"), tierEvents(m));
    }

    @Test
    void aCalendarYearStartsAgainAtTheYearBoundary() {
        Instant t0 = publish(ROLLING.replace("ROLLING_12_MONTHS", "CALENDAR_YEAR"), Instant.now());
        String m = newMember();
        int year = LocalDate.ofInstant(t0, ZoneOffset.UTC).getYear() + 1;
        Instant lastSecond = LocalDate.of(year, 12, 31).atTime(23, 59, 59).toInstant(ZoneOffset.UTC);
        TestClock.pin(lastSecond.minusSeconds(10));
        earn(m, 1500, "dec", null);
        assertEquals("SILVER", tier(m).get("name").asText());
        assertEquals(1500, tier(m).get("qualifyingPoints").asLong());
        TestClock.pin(lastSecond.plusSeconds(1));
        JsonNode jan = tier(m);
        assertEquals(0, jan.get("qualifyingPoints").asLong(), jan.toString());
        assertEquals(lastSecond.plusSeconds(1).plus(Duration.ofDays(30)).toString(), jan.get("downgradeAt").asText());
        // A late earn that occurred in December still counts for December's year only.
        earn(m, 100, "late-dec", lastSecond.minusSeconds(5));
        assertEquals(0, tier(m).get("qualifyingPoints").asLong());
    }
}
