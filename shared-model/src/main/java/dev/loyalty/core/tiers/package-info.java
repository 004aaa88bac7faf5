/**
 * Member tiers: a versioned {@link dev.loyalty.core.tiers.TierSet} (qualifying window, qualifying
 * point types, tiers with thresholds and earn multipliers, downgrade grace), qualifying points
 * from per-day sums ({@link dev.loyalty.core.tiers.QualifyingPoints}) and the tier decision
 * ({@link dev.loyalty.core.tiers.TierDecision}), a pure function of (tier set, the member's tier
 * record, qualifying points per day, now, zone). Plain Java, no framework imports.
 */
package dev.loyalty.core.tiers;
