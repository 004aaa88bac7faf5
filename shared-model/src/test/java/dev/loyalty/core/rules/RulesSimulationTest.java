package dev.loyalty.core.rules;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded workload of random rule sets (within the contract's limits) and random business
 * events of a few members over a few weeks, late events included, run through the engine with
 * cap usage accumulated from its own charges (as storage does), and checked after every event
 * against a reference model that recounts each cap from the history of earlier awards. A failure
 * prints its seed; {@code -Dsimulation.rules.seeds=N} runs more, {@code -Dsimulation.rules.seed=S} one.
 */
class RulesSimulationTest {
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final Instant START = Instant.parse("2026-12-20T00:00:00Z");

    record Past(String member, String ruleId, Instant occurredAt, long points) {
    }

    @Test
    void randomRuleSetsAndEventsAgreeWithTheReferenceModel() {
        long one = Long.getLong("simulation.rules.seed", -1);
        int seeds = Integer.getInteger("simulation.rules.seeds", 300);
        for (long seed = one >= 0 ? one : 0; seed < (one >= 0 ? one + 1 : seeds); seed++) {
            try {
                run(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (replay with -Dsimulation.rules.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    static RuleSet randomRules(Random r) {
        List<Rule> rules = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            List<Cap> caps = new ArrayList<>();
            int c = r.nextInt(3);
            for (int k = 0; k < c; k++) {
                CapPeriod p = CapPeriod.values()[r.nextInt(3)];
                caps.add(r.nextBoolean() ? new Cap(p, 1L + r.nextInt(400), null) : new Cap(p, null, 1L + r.nextInt(4)));
            }
            Long perAmount = r.nextBoolean() ? 1L + r.nextInt(1000) : null;
            Condition when = r.nextInt(3) == 0 ? new Condition(Map.of("channel", List.of("app")), null, null, null, null) : null;
            rules.add(new Rule("r" + i, r.nextBoolean() ? "purchase" : "sign_in", "PURCHASE", 1 + r.nextInt(50), perAmount,
                    when, caps));
        }
        return new RuleSet(rules, List.of());
    }

    static void run(long seed) {
        Random r = new Random(seed);
        RuleSet set = randomRules(r);
        // What storage holds: per (member, rule, period, start) the charges' sums.
        Map<String, CapUsage.Used> stored = new HashMap<>();
        List<Past> history = new ArrayList<>();
        Map<String, List<Instant>> matchedEvents = new HashMap<>();
        for (int step = 0; step < 150; step++) {
            String member = "m" + r.nextInt(3);
            Instant at = START.plus(Duration.ofMinutes(r.nextInt(60 * 24 * 40)));
            String name = r.nextBoolean() ? "purchase" : "sign_in";
            long amount = 1 + r.nextInt(100_000);
            Map<String, String> attributes = r.nextBoolean() ? Map.of("channel", "app") : Map.of("channel", "store");
            BusinessEvent e = new BusinessEvent(member, name, "ref-" + step, at, amount, "EUR", attributes, null);
            Map<CapUsage.Key, CapUsage.Used> usage = new HashMap<>();
            for (Rule rule : set.rules()) {
                for (CapPeriod p : CapPeriod.values()) {
                    CapUsage.Used u = stored.get(member + "|" + rule.id() + "|" + p + "|" + p.start(at, ZONE));
                    if (u != null) {
                        usage.put(new CapUsage.Key(rule.id(), p), u);
                    }
                }
            }
            EvaluationOutcome outcome = RulesEngine.evaluate(set, 1, Tier.MEMBER, new CapUsage(usage), e, at, ZONE);
            if (!set.handles(name)) {
                assertTrue(outcome instanceof EvaluationOutcome.Refused);
                continue;
            }
            Evaluation ev = ((EvaluationOutcome.Evaluated) outcome).evaluation();
            // The reference model: recount every cap from the history.
            Map<String, Long> expected = new HashMap<>();
            for (Rule rule : set.rules()) {
                if (!rule.event().equals(name) || (rule.when() != null && !"app".equals(attributes.get("channel")))) {
                    continue;
                }
                long points = rule.perAmount() == null ? rule.points() : amount * rule.points() / rule.perAmount();
                for (Cap cap : rule.caps()) {
                    LocalDate start = cap.period().start(at, ZONE);
                    long usedPoints = history.stream().filter(h -> h.member().equals(member) && h.ruleId().equals(rule.id())
                            && cap.period().start(h.occurredAt(), ZONE).equals(start)).mapToLong(Past::points).sum();
                    long usedEvents = matchedEvents.getOrDefault(member + "|" + rule.id(), List.of()).stream()
                            .filter(t -> cap.period().start(t, ZONE).equals(start)).count();
                    if (cap.maxEvents() != null && usedEvents >= cap.maxEvents()) {
                        points = 0;
                    }
                    if (cap.maxPoints() != null) {
                        points = Math.min(points, Math.max(0, cap.maxPoints() - usedPoints));
                    }
                }
                if (points > 0) {
                    expected.put(rule.id(), points);
                }
                if (!rule.caps().isEmpty()) {
                    matchedEvents.computeIfAbsent(member + "|" + rule.id(), k -> new ArrayList<>()).add(at);
                }
            }
            Map<String, Long> actual = new HashMap<>();
            ev.awards().forEach(a -> actual.put(a.ruleId(), a.points()));
            assertEquals(expected, actual, "step " + step + " " + e);
            ev.awards().forEach(a -> history.add(new Past(member, a.ruleId(), at, a.points())));
            for (CapCharge c : ev.charges()) {
                stored.merge(member + "|" + c.ruleId() + "|" + c.period() + "|" + c.periodStart(),
                        new CapUsage.Used(c.points(), c.events()),
                        (x, y) -> new CapUsage.Used(x.points() + y.points(), x.events() + y.events()));
            }
            // Invariant: no period of any capped rule ever holds more than its cap.
            for (Rule rule : set.rules()) {
                for (Cap cap : rule.caps()) {
                    if (cap.maxPoints() == null) {
                        continue;
                    }
                    Map<LocalDate, Long> perPeriod = new HashMap<>();
                    history.stream().filter(h -> h.member().equals(member) && h.ruleId().equals(rule.id()))
                            .forEach(h -> perPeriod.merge(cap.period().start(h.occurredAt(), ZONE), h.points(), Long::sum));
                    perPeriod.values().forEach(total -> assertTrue(total <= cap.maxPoints(), "cap exceeded"));
                }
            }
        }
    }
}
