/**
 * Member tiers: a versioned {@link dev.loyalty.core.tiers.TierSet} (qualifying window, qualifying
 * point types, tiers with thresholds and earn multipliers, downgrade grace), qualifying points
 * from per-day sums ({@link dev.loyalty.core.tiers.QualifyingPoints}) and the tier decision
 * ({@link dev.loyalty.core.tiers.TierDecision}), a pure function of (tier set, the member's tier
 * record, qualifying points per day, now, zone). Qualifying day rows are kept by the writes
 * ({@code QualifyingPoints.apply}: an EARN adds on its day, a reversal or return takes back on
 * the original earn's day, never below zero) and are, by definition, what the member's ledger
 * rebuilds ({@code QualifyingPoints.rebuild}: the simulation checks the two agree after every
 * step). Plain Java, no framework imports.
 */
package dev.loyalty.core.tiers;
