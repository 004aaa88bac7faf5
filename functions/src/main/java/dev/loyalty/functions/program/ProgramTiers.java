package dev.loyalty.functions.program;

import dev.loyalty.core.rules.Tier;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tiers rule sets may name until tier sets are versioned data (their own issue): the
 * contract's example set. Every member is {@link Tier#MEMBER} today; a simulation may ask for
 * another tier.
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
