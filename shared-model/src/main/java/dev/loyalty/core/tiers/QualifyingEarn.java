package dev.loyalty.core.tiers;

import java.time.Instant;

/** One earn (direct or rule award) as qualification sees it: when it occurred, its type, its points and what reversals and returns took back of it. */
public record QualifyingEarn(Instant occurredAt, String pointType, long points, long takenBack) {
}
