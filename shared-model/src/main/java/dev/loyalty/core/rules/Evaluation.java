package dev.loyalty.core.rules;

import java.util.List;
import java.util.Map;

/**
 * The rules' answer to one event: the awards that earn points (in rule order; a rule whose
 * award is 0 after its caps is left out), the cap usage to add, and the member's variant in
 * every experiment of the rule set (recorded with the event for the per-variant report).
 */
public record Evaluation(List<Award> awards, List<CapCharge> charges, Map<String, String> variants) {
    public Evaluation {
        awards = List.copyOf(awards);
        charges = List.copyOf(charges);
        variants = Map.copyOf(variants);
    }

    public long points() {
        return awards.stream().mapToLong(Award::points).sum();
    }
}
