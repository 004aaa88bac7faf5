package dev.loyalty.core.tiers;

import dev.loyalty.core.rules.Tier;

import java.util.Objects;

/** One tier of a tier set: its name, the qualifying points it needs, and its earn multiplier (10000 = 1x). */
public record TierLevel(String name, long threshold, int earnMultiplierBp) {
    public TierLevel {
        Objects.requireNonNull(name, "name");
        if (threshold < 0 || earnMultiplierBp < 0) {
            throw new IllegalArgumentException("threshold and earnMultiplierBp must not be negative");
        }
    }

    /** The tier as the rules engine sees it. */
    public Tier asRuleTier() {
        return new Tier(name, earnMultiplierBp);
    }
}
