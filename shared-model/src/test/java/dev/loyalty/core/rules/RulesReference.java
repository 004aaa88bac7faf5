package dev.loyalty.core.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The reference model of the rules engine for {@link #randomRules} rule sets
 * (tier MEMBER, no experiments, conditions on {@code channel: app} only): each event's awards
 * recounted from the history of earlier awards and matched events, with no running counters
 * (what storage keeps is the engine's business, not the model's). Events are given in the order
 * they are applied; a late one counts against the caps of its own period. Used by the core's
 * simulation and by the PostgreSQL one with published rule sets.
 */
public final class RulesReference {
    /** A random rule set within the contract's limits (rules on purchase or sign_in, caps, a channel condition). */
    public static RuleSet randomRules(Random r) {
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

    private record Past(String member, String ruleId, Instant occurredAt, long points) {
    }

    private final ZoneId zone;
    private final List<Past> history = new ArrayList<>();
    private final Map<String, List<Instant>> matchedEvents = new HashMap<>();

    public RulesReference(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * The awards (rule id to points, awards of 0 left out) {@code e} earns under {@code set} after
     * every event given before, which it then joins; null when no rule of the set handles its
     * name (the event is refused and counts for nothing).
     */
    public Map<String, Long> next(RuleSet set, BusinessEvent e, Instant at) {
        if (!set.handles(e.event())) {
            return null;
        }
        String member = e.memberId();
        Map<String, Long> expected = new HashMap<>();
        for (Rule rule : set.rules()) {
            if (!rule.event().equals(e.event()) || (rule.when() != null && !"app".equals(e.attributes().get("channel")))) {
                continue;
            }
            long points = rule.perAmount() == null ? rule.points() : e.amount() * rule.points() / rule.perAmount();
            for (Cap cap : rule.caps()) {
                LocalDate start = cap.period().start(at, zone);
                long usedPoints = history.stream().filter(h -> h.member().equals(member) && h.ruleId().equals(rule.id())
                        && cap.period().start(h.occurredAt(), zone).equals(start)).mapToLong(Past::points).sum();
                long usedEvents = matchedEvents.getOrDefault(member + "|" + rule.id(), List.of()).stream()
                        .filter(t -> cap.period().start(t, zone).equals(start)).count();
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
        expected.forEach((rule, points) -> history.add(new Past(member, rule, at, points)));
        return expected;
    }

    /** No period of any capped rule holds more than its cap for {@code member} (the model's own awards). */
    public boolean capsHold(RuleSet set, String member) {
        for (Rule rule : set.rules()) {
            for (Cap cap : rule.caps()) {
                if (cap.maxPoints() == null) {
                    continue;
                }
                Map<LocalDate, Long> perPeriod = new HashMap<>();
                history.stream().filter(h -> h.member().equals(member) && h.ruleId().equals(rule.id()))
                        .forEach(h -> perPeriod.merge(cap.period().start(h.occurredAt(), zone), h.points(), Long::sum));
                if (perPeriod.values().stream().anyMatch(total -> total > cap.maxPoints())) {
                    return false;
                }
            }
        }
        return true;
    }
}
