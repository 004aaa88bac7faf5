package dev.loyalty.core.rules;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.Lot;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.spend.MemberState;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.RedeemOutcome;
import dev.loyalty.core.spend.SpendRules;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pendingDays: parsed within 1..3650, the award's lot pending to the end of that local day, not spendable before. */
class PendingRulesTest {

    @Test
    void pendingDaysIsValidatedWithItsPath() {
        String rule = """
                {"rules":[{"id":"p","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,"pendingDays":%s}]}""";
        assertEquals(14, RulesEngineTest.parse(rule.formatted("14")).rules().get(0).pendingDays());
        for (String bad : List.of("0", "3651", "-1", "1.5", "\"14\"")) {
            List<RuleSetError> errors = RulesEngineTest.errors(rule.formatted(bad));
            assertEquals("rules[0].pendingDays", errors.get(0).path(), bad);
        }
        RuleSet round = RulesEngineTest.parse(rule.formatted("3650"));
        RuleSetParser.Result again = RuleSetParser.parse(RuleSetDocument.of(round), RulesEngineTest.TYPES, RulesEngineTest.TIERS);
        assertEquals(3650, assertInstanceOf(RuleSetParser.Result.Parsed.class, again).ruleSet().rules().get(0).pendingDays(),
                "the published document keeps pendingDays");
    }

    @Test
    void theLotIsPendingUntilTheEndOfTheDayInTheProgramZone() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        RuleSet set = RulesEngineTest.parse("""
                {"rules":[{"id":"p","event":"purchase","pointType":"PURCHASE","points":1,"perAmount":100,"pendingDays":14}]}""");
        Instant at = Instant.parse("2026-12-01T23:30:00Z"); // already 2 December in Paris
        BusinessEvent e = new BusinessEvent("m-1", "purchase", "order-1", at, 10_000L, null, null, null);
        Evaluation ev = ((EvaluationOutcome.Evaluated) RulesEngine.evaluate(set, 2, Tier.MEMBER, CapUsage.none(), e, at, paris))
                .evaluation();
        PointTypeCatalog catalog = PointTypeCatalog.defaults(paris);
        EventRule.Outcome.Applied applied = assertInstanceOf(EventRule.Outcome.Applied.class,
                EventRule.apply(AccountState.empty(new MemberId("m-1")), e, ev, at, at, catalog, UUID::randomUUID));
        Lot lot = applied.credits().get(0).lot();
        assertEquals(Instant.parse("2026-12-16T23:00:00Z"), lot.pendingUntil(), "end of 16 December, Paris time");
        assertTrue(lot.isPendingAt(Instant.parse("2026-12-16T22:59:59Z")));
        assertFalse(lot.isPendingAt(lot.pendingUntil()));
        assertEquals(100, lot.pendingPointsAt(at));

        MemberState state = new MemberState(applied.after(), List.of(lot), List.of());
        assertEquals(0, state.available(at));
        assertInstanceOf(dev.loyalty.core.spend.Refused.class, SpendRules.redeem(state,
                new RedeemCommand(1, "r-1", null), at, UUID::randomUUID));
        assertEquals(100, state.available(lot.pendingUntil()));
        assertInstanceOf(RedeemOutcome.Redeemed.class, SpendRules.redeem(state,
                new RedeemCommand(100, "r-1", null), lot.pendingUntil(), UUID::randomUUID));
    }
}
