package dev.loyalty.core.rules;

import dev.loyalty.core.Refusal;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract's worked examples, one per rule part, against the pure engine. */
class RulesEngineTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final Instant AT = Instant.parse("2026-12-25T10:00:00Z");
    static final Set<String> TYPES = Set.of("PURCHASE", "SIGN_IN", "PROMO", "BONUS");
    static final Set<String> TIERS = Set.of("MEMBER", "SILVER", "GOLD");

    static RuleSet parse(String json) {
        return switch (RuleSetParser.parse(MiniJson.parse(json), TYPES, TIERS)) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
    }

    static List<RuleSetError> errors(String json) {
        return switch (RuleSetParser.parse(MiniJson.parse(json), TYPES, TIERS)) {
            case RuleSetParser.Result.Parsed p -> List.of();
            case RuleSetParser.Result.Invalid i -> i.errors();
        };
    }

    static BusinessEvent event(String name, Long amount, Map<String, String> attributes) {
        return new BusinessEvent("m-1", name, "ref-1", AT, amount, amount == null ? null : "EUR", attributes, null);
    }

    static Evaluation eval(RuleSet set, Tier tier, CapUsage usage, BusinessEvent e, Instant at) {
        return switch (RulesEngine.evaluate(set, 2, tier, usage, e, at, UTC)) {
            case EvaluationOutcome.Evaluated ev -> ev.evaluation();
            case EvaluationOutcome.Refused r -> throw new AssertionError(r.refusal().message());
        };
    }

    static final String PURCHASE = """
            {"rules":[{"id":"purchase-base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                       "caps":[{"period":"DAY","maxPoints":500}]}]}""";

    @Test
    void aPurchaseOf129_99EarnsFloorOfAmountTimesPointsOverPerAmount() {
        Evaluation e = eval(parse(PURCHASE), Tier.MEMBER, CapUsage.none(), event("purchase", 12_999L, null), AT);
        assertEquals(1, e.awards().size());
        Award a = e.awards().get(0);
        assertEquals(129, a.points());
        assertFalse(a.capped());
        assertEquals("purchase-base", a.ruleId());
        assertEquals("PURCHASE", a.pointType());
        assertEquals(List.of(new CapCharge("purchase-base", CapPeriod.DAY, LocalDate.parse("2026-12-25"), 129, 1)), e.charges());
    }

    @Test
    void signInTwiceADayEarnsFiveThenNothing() {
        RuleSet set = parse("""
                {"rules":[{"id":"sign-in","event":"sign_in","pointType":"SIGN_IN","points":5,
                           "caps":[{"period":"DAY","maxEvents":1}]}]}""");
        Evaluation first = eval(set, Tier.MEMBER, CapUsage.none(), event("sign_in", null, null), AT);
        assertEquals(5, first.points());
        CapUsage after = new CapUsage(Map.of(new CapUsage.Key("sign-in", CapPeriod.DAY), new CapUsage.Used(5, 1)));
        Evaluation second = eval(set, Tier.MEMBER, after, event("sign_in", null, null), AT);
        assertEquals(0, second.points());
        assertEquals(List.of(), second.awards());
        // It still counts as an event of the day.
        assertEquals(1, second.charges().size());
        assertEquals(1, second.charges().get(0).events());
        assertEquals(0, second.charges().get(0).points());
    }

    @Test
    void aDailyCapOf500CutsTheAwardAtTheBoundaryAndSaysSo() {
        RuleSet set = parse(PURCHASE);
        CapUsage used450 = new CapUsage(Map.of(new CapUsage.Key("purchase-base", CapPeriod.DAY), new CapUsage.Used(450, 3)));
        Award cut = eval(set, Tier.MEMBER, used450, event("purchase", 12_999L, null), AT).awards().get(0);
        assertEquals(50, cut.points());
        assertTrue(cut.capped());
        assertEquals(129, cut.basePoints());
        CapUsage used371 = new CapUsage(Map.of(new CapUsage.Key("purchase-base", CapPeriod.DAY), new CapUsage.Used(371, 3)));
        Award exact = eval(set, Tier.MEMBER, used371, event("purchase", 12_999L, null), AT).awards().get(0);
        assertEquals(129, exact.points());
        assertFalse(exact.capped(), "exactly reaching the cap is not a cut");
        CapUsage full = new CapUsage(Map.of(new CapUsage.Key("purchase-base", CapPeriod.DAY), new CapUsage.Used(500, 4)));
        assertEquals(List.of(), eval(set, Tier.MEMBER, full, event("purchase", 12_999L, null), AT).awards());
    }

    @Test
    void aCampaignWindowHoldsFromInclusiveToExclusive() {
        RuleSet set = parse("""
                {"rules":[{"id":"xmas","event":"purchase","pointType":"PROMO","points":2,"perAmount":100,
                           "when":{"from":"2026-12-24T00:00:00Z","to":"2026-12-27T00:00:00Z"}}]}""");
        BusinessEvent e = event("purchase", 10_000L, null);
        assertEquals(200, eval(set, Tier.MEMBER, CapUsage.none(), e, Instant.parse("2026-12-24T00:00:00Z")).points());
        assertEquals(200, eval(set, Tier.MEMBER, CapUsage.none(), e, Instant.parse("2026-12-26T23:59:59Z")).points());
        assertEquals(0, eval(set, Tier.MEMBER, CapUsage.none(), e, Instant.parse("2026-12-27T00:00:00Z")).points());
        assertEquals(0, eval(set, Tier.MEMBER, CapUsage.none(), e, Instant.parse("2026-12-23T23:59:59Z")).points());
    }

    @Test
    void aTierConditionAndTheTierMultiplierRoundDownBeforeTheCap() {
        RuleSet set = parse("""
                {"rules":[{"id":"base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100},
                          {"id":"gold-weekend","event":"purchase","pointType":"PROMO","points":1,"perAmount":100,
                           "when":{"tiers":["GOLD"]},"caps":[{"period":"DAY","maxPoints":150}]}]}""");
        BusinessEvent e = event("purchase", 12_999L, null);
        Evaluation member = eval(set, Tier.MEMBER, CapUsage.none(), e, AT);
        assertEquals(List.of("base"), member.awards().stream().map(Award::ruleId).toList());
        assertEquals(129, member.points());
        Evaluation gold = eval(set, new Tier("GOLD", 15_000), CapUsage.none(), e, AT);
        // Awards stack; each is multiplied (floor(129 * 1.5) = 193), then capped (150).
        assertEquals(193, gold.awards().get(0).points());
        assertEquals(150, gold.awards().get(1).points());
        assertTrue(gold.awards().get(1).capped());
        assertEquals(343, gold.points());
    }

    @Test
    void attributesMustHoldOneOfTheListedValues() {
        RuleSet set = parse("""
                {"rules":[{"id":"app","event":"purchase","pointType":"PURCHASE","points":10,
                           "when":{"attributes":{"channel":["app","web"]}}}]}""");
        assertEquals(10, eval(set, Tier.MEMBER, CapUsage.none(), event("purchase", 100L, Map.of("channel", "app")), AT).points());
        assertEquals(0, eval(set, Tier.MEMBER, CapUsage.none(), event("purchase", 100L, Map.of("channel", "store")), AT).points());
        assertEquals(0, eval(set, Tier.MEMBER, CapUsage.none(), event("purchase", 100L, null), AT).points());
    }

    @Test
    void experimentsAssignStablyAndTheVariantRidesOnTheAward() {
        RuleSet set = parse("""
                {"rules":[{"id":"boost","event":"purchase","pointType":"PROMO","points":100,
                           "when":{"variant":{"experiment":"weekend-boost","is":"boost"}}}],
                 "experiments":[{"id":"weekend-boost","variants":{"control":50,"boost":50}}]}""");
        int boosted = 0;
        for (int i = 0; i < 1000; i++) {
            BusinessEvent e = new BusinessEvent("member-" + i, "purchase", "r", AT, 100L, null, null, null);
            Evaluation ev = eval(set, Tier.MEMBER, CapUsage.none(), e, AT);
            String variant = ev.variants().get("weekend-boost");
            assertEquals(variant, set.experiment("weekend-boost").orElseThrow().variantOf("member-" + i));
            if (variant.equals("boost")) {
                boosted++;
                assertEquals("boost", ev.awards().get(0).variant());
            } else {
                assertEquals(List.of(), ev.awards());
            }
        }
        assertTrue(boosted > 430 && boosted < 570, "about half: " + boosted);
        assertEquals(Experiment.bucket("weekend-boost", "m-42"), Experiment.bucket("weekend-boost", "m-42"));
    }

    @Test
    void capsCountInTheEventsOwnPeriodWeeksStartOnMonday() {
        assertEquals(LocalDate.parse("2026-12-21"), CapPeriod.WEEK.start(Instant.parse("2026-12-27T23:00:00Z"), UTC));
        assertEquals(LocalDate.parse("2026-12-28"), CapPeriod.WEEK.start(Instant.parse("2026-12-28T00:00:00Z"), UTC));
        assertEquals(LocalDate.parse("2026-12-01"), CapPeriod.MONTH.start(AT, UTC));
        // The program's time zone decides the day.
        assertEquals(LocalDate.parse("2026-12-26"), CapPeriod.DAY.start(Instant.parse("2026-12-25T23:30:00Z"), ZoneId.of("Europe/Berlin")));
    }

    @Test
    void refusals() {
        RuleSet set = parse(PURCHASE);
        assertInstanceOf(Refusal.AmountRequired.class, ((EvaluationOutcome.Refused) RulesEngine.evaluate(set, 1,
                Tier.MEMBER, CapUsage.none(), event("purchase", null, null), AT, UTC)).refusal());
        assertInstanceOf(Refusal.UnknownEvent.class, ((EvaluationOutcome.Refused) RulesEngine.evaluate(set, 1,
                Tier.MEMBER, CapUsage.none(), event("purchse", 100L, null), AT, UTC)).refusal());
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i < 21; i++) {
            many.put("k" + i, "v");
        }
        assertEquals("attributes", RulesEngine.validate(event("purchase", 100L, many), AT).orElseThrow().field());
        assertEquals("amount", RulesEngine.validate(event("purchase", 0L, null), AT).orElseThrow().field());
        assertEquals("amount", RulesEngine.validate(event("purchase", 1_000_000_000_001L, null), AT).orElseThrow().field());
        assertEquals("event", RulesEngine.validate(event("Purchase!", 100L, null), AT).orElseThrow().field());
        assertEquals("event", RulesEngine.validate(event("return", 100L, null), AT).orElseThrow().field());
        assertTrue(RulesEngine.validate(event("purchase", 1_000_000_000_000L, null), AT).isEmpty());
    }

    @Test
    void validationPointsAtEveryBadFieldAndRefusesTheWholeSet() {
        List<RuleSetError> errors = errors("""
                {"rules":[{"id":"a","event":"purchase","pointType":"PURCHASE","points":1},
                          {"id":"b","event":"purchase","pointType":"GEMS","points":0,"perAmount":-1,
                           "when":{"tiers":["PLATINUM"],"variant":{"experiment":"nope","is":"x"}},
                           "caps":[{"period":"YEAR","maxPoints":5}]},
                          {"id":"a","event":"sign_in","pointType":"SIGN_IN","points":5}],
                 "experiments":[{"id":"x","variants":{"a":50,"b":40}}], "colour":"red"}""");
        List<String> paths = errors.stream().map(RuleSetError::path).toList();
        assertTrue(paths.containsAll(List.of("colour", "experiments[0].variants", "rules[1].pointType", "rules[1].points",
                "rules[1].perAmount", "rules[1].when.tiers[0]", "rules[1].when.variant.experiment",
                "rules[1].caps[0].period", "rules[2].id")), paths.toString());
        assertEquals(List.of("rules[0].event"), errors("""
                {"rules":[{"id":"a","event":"return","pointType":"PURCHASE","points":1}]}""").stream()
                .map(RuleSetError::path).toList());
        assertEquals(List.of("rules"), errors("{}").stream().map(RuleSetError::path).toList());
    }

    @Test
    void theDocumentFormRoundTrips() {
        String json = """
                {"rules":[{"id":"purchase-base","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,
                  "when":{"attributes":{"channel":["app","web"]},"tiers":["SILVER","GOLD"],
                          "from":"2026-12-24T00:00:00Z","to":"2026-12-27T00:00:00Z",
                          "variant":{"experiment":"weekend-boost","is":"boost"}},
                  "caps":[{"period":"DAY","maxPoints":500},{"period":"WEEK","maxEvents":3}]}],
                 "experiments":[{"id":"weekend-boost","variants":{"control":50,"boost":50}}]}""";
        RuleSet set = parse(json);
        RuleSet again = switch (RuleSetParser.parse(RuleSetDocument.of(set), TYPES, TIERS)) {
            case RuleSetParser.Result.Parsed p -> p.ruleSet();
            case RuleSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        assertEquals(set, again);
        assertNull(parse(PURCHASE).rules().get(0).when());
    }
}
