package dev.loyalty.core.tiers;

import java.time.Instant;
import java.util.Objects;

/**
 * What is stored per member: its tier, since when, since when its qualifying points have been
 * below that tier's threshold (null: not below), and the instant this record was last brought
 * up to date (a write or the review). Between two evaluations qualifying points can only fall
 * (only writes add them), which is what lets {@link TierDecision} roll the record forward to
 * any later instant exactly.
 */
public record TierRecord(String tier, Instant since, Instant belowSince, Instant evaluatedAt) {
    public TierRecord {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(evaluatedAt, "evaluatedAt");
    }

    /** A member without a record: the lowest tier, as of now. */
    public static TierRecord initial(TierSet set, Instant now) {
        return new TierRecord(set.lowest().name(), now, null, now);
    }

    TierRecord below(Instant at) {
        return new TierRecord(tier, since, at, evaluatedAt);
    }

    TierRecord evaluated(Instant at) {
        return new TierRecord(tier, since, belowSince, at);
    }
}
