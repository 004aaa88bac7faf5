package dev.loyalty.core.tiers;

import java.time.Instant;

/** One entry of a member's tier history. */
public record TierChange(String from, String to, Instant at, TierChangeReason reason) {
}
