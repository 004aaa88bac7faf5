package dev.loyalty.core.rules;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the engine over random rule sets within the contract's limits. */
class RulesEngineProperties {
    static final Instant AT = Instant.parse("2026-12-25T10:00:00Z");

    @Provide
    Arbitrary<Rule> rule() {
        Arbitrary<Long> points = Arbitraries.longs().between(1, 1_000_000);
        Arbitrary<Long> perAmount = Arbitraries.longs().between(1, 1_000_000_000).injectNull(0.4);
        Arbitrary<List<Cap>> caps = Combinators.combine(Arbitraries.of(CapPeriod.class),
                Arbitraries.longs().between(1, 5_000), Arbitraries.of(true, false))
                .as((period, max, byPoints) -> byPoints ? new Cap(period, max, null) : new Cap(period, null, max))
                .list().ofMaxSize(3);
        return Combinators.combine(points, perAmount, caps, Arbitraries.of("PURCHASE", "PROMO"))
                .as((p, per, c, type) -> new Rule("r", "purchase", type, p, per, null, c));
    }

    @Provide
    Arbitrary<RuleSet> ruleSet() {
        return rule().list().ofMinSize(1).ofMaxSize(5).map(rules -> {
            List<Rule> named = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                Rule r = rules.get(i);
                named.add(new Rule("rule-" + i, r.event(), r.pointType(), r.points(), r.perAmount(), null, r.caps()));
            }
            return new RuleSet(named, List.of());
        });
    }

    @Provide
    Arbitrary<Map<String, Long>> usedPoints() {
        return Arbitraries.longs().between(0, 6_000).list().ofSize(5).map(l -> {
            Map<String, Long> m = new HashMap<>();
            for (int i = 0; i < l.size(); i++) {
                m.put("rule-" + i, l.get(i));
            }
            return m;
        });
    }

    static CapUsage usage(RuleSet set, Map<String, Long> used, long events) {
        Map<CapUsage.Key, CapUsage.Used> m = new HashMap<>();
        for (Rule r : set.rules()) {
            for (CapPeriod p : CapPeriod.values()) {
                m.put(new CapUsage.Key(r.id(), p), new CapUsage.Used(used.get(r.id()), events));
            }
        }
        return new CapUsage(m);
    }

    static Evaluation eval(RuleSet set, Tier tier, CapUsage usage, long amount) {
        BusinessEvent e = new BusinessEvent("m-1", "purchase", "ref", AT, amount, "EUR", null, null);
        return switch (RulesEngine.evaluate(set, 1, tier, usage, e, AT, ZoneOffset.UTC)) {
            case EvaluationOutcome.Evaluated ev -> ev.evaluation();
            case EvaluationOutcome.Refused r -> null; // an award over the per-operation maximum
        };
    }

    @Property(tries = 500)
    void awardsAreNeverNegativeAndNeverExceedACap(@ForAll("ruleSet") RuleSet set, @ForAll("usedPoints") Map<String, Long> used,
                                                  @ForAll @LongRange(min = 0, max = 6) long eventsUsed,
                                                  @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long amount,
                                                  @ForAll @IntRange(min = 0, max = 30_000) int bp) {
        Evaluation ev = eval(set, new Tier("MEMBER", bp), usage(set, used, eventsUsed), amount);
        if (ev == null) {
            return;
        }
        for (Award a : ev.awards()) {
            assertTrue(a.points() > 0 && a.points() <= 1_000_000_000L, a.toString());
            Rule rule = set.rules().stream().filter(r -> r.id().equals(a.ruleId())).findFirst().orElseThrow();
            for (Cap cap : rule.caps()) {
                if (cap.maxPoints() != null) {
                    assertTrue(used.get(rule.id()) + a.points() <= cap.maxPoints(), "over maxPoints: " + a);
                }
                if (cap.maxEvents() != null) {
                    assertTrue(eventsUsed < cap.maxEvents(), "earned past maxEvents: " + a);
                }
            }
        }
        // Every matched rule with caps charges each of its periods once, with what it awarded.
        for (CapCharge c : ev.charges()) {
            assertEquals(1, c.events());
            assertTrue(c.points() >= 0);
            long awarded = ev.awards().stream().filter(a -> a.ruleId().equals(c.ruleId())).mapToLong(Award::points).sum();
            assertEquals(awarded, c.points());
        }
    }

    @Property(tries = 300)
    void theSameInputsGiveTheSameAwards(@ForAll("ruleSet") RuleSet set, @ForAll("usedPoints") Map<String, Long> used,
                                        @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long amount) {
        assertEquals(eval(set, Tier.MEMBER, usage(set, used, 0), amount), eval(set, Tier.MEMBER, usage(set, used, 0), amount));
    }

    @Property(tries = 500)
    void withoutCapsAwardsStackAndEachIsFloorOfBaseTimesMultiplier(@ForAll("ruleSet") RuleSet capped,
                                                                   @ForAll @LongRange(min = 1, max = 1_000_000_000L) long amount,
                                                                   @ForAll @IntRange(min = 0, max = 30_000) int bp) {
        List<Rule> uncapped = capped.rules().stream()
                .map(r -> new Rule(r.id(), r.event(), r.pointType(), r.points(), r.perAmount(), null, List.of())).toList();
        RuleSet set = new RuleSet(uncapped, List.of());
        Evaluation ev = eval(set, new Tier("GOLD", bp), CapUsage.none(), amount);
        if (ev == null) {
            return;
        }
        long total = 0;
        List<String> expectedRules = new ArrayList<>();
        for (Rule r : uncapped) {
            long base = r.perAmount() == null ? r.points() : Math.multiplyExact(amount, r.points()) / r.perAmount();
            long award = base * bp / 10_000;
            total += award;
            if (award > 0) {
                expectedRules.add(r.id());
            }
            // Each rule alone awards what it awards in the stack.
            Evaluation alone = eval(new RuleSet(List.of(r), List.of()), new Tier("GOLD", bp), CapUsage.none(), amount);
            assertEquals(award, alone.points());
        }
        assertEquals(total, ev.points());
        assertEquals(expectedRules, ev.awards().stream().map(Award::ruleId).toList());
    }
}
