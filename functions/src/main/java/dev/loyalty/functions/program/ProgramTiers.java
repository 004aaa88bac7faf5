package dev.loyalty.functions.program;

import dev.loyalty.core.rules.Tier;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The contract's example tiers, for {@code POST /program/rules/simulate} only: a simulation may
 * ask for one of these by name (and its draft may name them) when the tier sets in force do not
 * have it. Published rule sets' {@code when.tiers} are validated against the tier set versions
 * ({@link TierSets#namesFrom}); members' real tiers come from
 * {@link dev.loyalty.functions.tiers.MemberTiers}.
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
