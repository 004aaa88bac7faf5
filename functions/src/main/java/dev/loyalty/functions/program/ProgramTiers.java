package dev.loyalty.functions.program;

import dev.loyalty.core.rules.Tier;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tier names a rule set's {@code when.tiers} may use: the contract's example tiers (rule sets
 * are validated by {@link RuleSets#parse} against these, not against tier set versions, so a rule
 * may name a tier before the set that has it is published). Members' real tiers come from
 * {@link dev.loyalty.functions.tiers.MemberTiers}; a simulation may ask for one of these by name.
 */
public final class ProgramTiers {
    private ProgramTiers() {
    }

    public static final Map<String, Tier> KNOWN = Map.of(
            "MEMBER", Tier.MEMBER,
            "SILVER", new Tier("SILVER", 12_500),
            "GOLD", new Tier("GOLD", 15_000));

    public static Set<String> names() {
        return KNOWN.keySet();
    }

    public static Optional<Tier> find(String name) {
        return Optional.ofNullable(name == null ? null : KNOWN.get(name));
    }
}
