package dev.loyalty.core.tiers;

import java.time.Instant;
import java.util.Objects;

/**
 * What is stored per member: its tier, since when, since when its qualifying points have been
 * below that tier's threshold (null: not below), why they went below ({@code belowReason}, the
 * reason the drop at the grace's end is recorded with: {@link TierChangeReason#RETURN} when a
 * return or a reversal took them back, {@link TierChangeReason#GRACE_ENDED} otherwise: old earns
 * leaving the window, or a new tier set version; null when not below), and the instant this
 * record was last brought up to date (a write or the review). Between two evaluations
 * qualifying points can only fall (only writes add them), which is what lets
 * {@link TierDecision} roll the record forward to any later instant exactly.
 */
public record TierRecord(String tier, Instant since, Instant belowSince, TierChangeReason belowReason, Instant evaluatedAt) {
    public TierRecord {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(evaluatedAt, "evaluatedAt");
        if (belowSince == null) {
            belowReason = null;
        } else if (belowReason == null) {
            belowReason = TierChangeReason.GRACE_ENDED; // stored before the reason was kept (V20)
        } else if (belowReason != TierChangeReason.RETURN && belowReason != TierChangeReason.GRACE_ENDED) {
            throw new IllegalArgumentException("a grace ends with RETURN or GRACE_ENDED, not " + belowReason);
        }
    }

    /** A record whose grace (if any) was not started by a take-back. */
    public TierRecord(String tier, Instant since, Instant belowSince, Instant evaluatedAt) {
        this(tier, since, belowSince, null, evaluatedAt);
    }

    /** A member without a record: the lowest tier, as of now. */
    public static TierRecord initial(TierSet set, Instant now) {
        return new TierRecord(set.lowest().name(), now, null, now);
    }

    TierRecord evaluated(Instant at) {
        return new TierRecord(tier, since, belowSince, belowReason, at);
    }
}
