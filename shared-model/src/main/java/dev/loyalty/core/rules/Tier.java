package dev.loyalty.core.rules;

import java.util.Objects;

/**
 * A member's tier as the rules see it: its name (for {@code when.tiers}) and its earn multiplier
 * in basis points (10000 = 1x). Tier sets arrive with their own issue; until then every member
 * is {@link #MEMBER}.
 */
public record Tier(String name, int earnMultiplierBp) {
    public static final int ONE_X_BP = 10_000;
    public static final Tier MEMBER = new Tier("MEMBER", ONE_X_BP);

    public Tier {
        Objects.requireNonNull(name, "name");
        if (earnMultiplierBp < 0) {
            throw new IllegalArgumentException("earnMultiplierBp must not be negative");
        }
    }
}
