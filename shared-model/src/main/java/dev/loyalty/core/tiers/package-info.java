/**
 * Member tiers: a versioned {@link dev.loyalty.core.tiers.TierSet} (qualifying window, qualifying
 * point types, tiers with thresholds and earn multipliers, downgrade grace), qualifying points
 * from per-day sums ({@link dev.loyalty.core.tiers.QualifyingPoints}) and the tier decision
 * ({@link dev.loyalty.core.tiers.TierDecision}), a pure function of (tier set, the member's tier
 * record, qualifying points per day, now, zone). Qualifying day rows are kept by the writes
 * ({@code QualifyingPoints.apply}: an EARN adds on its day, a reversal or return takes back on
 * the original earn's day, never below zero) and are, by definition, what the member's ledger
 * rebuilds ({@code QualifyingPoints.rebuild}: the simulation checks the two agree after every
 * step). A record is settled under a new tier set version ({@code TierDecision.settled}, bound
 * {@code TierSet.settledBelow}) when the version certainly leaves it as it is without its days:
 * no grace, nothing due, its tier at the same threshold under a version counting points alike,
 * and the points it was evaluated with (which bound its points now: with no write since, days
 * only leave the window) below the next tier's threshold. Plain Java, no framework imports.
 */
package dev.loyalty.core.tiers;
