package dev.loyalty.core.tiers;

/** Why a member's tier changed ({@code tier.changed} events, tier history). */
public enum TierChangeReason {
    /** An earn crossed a threshold: upgraded at once. */
    QUALIFIED,
    /** Qualifying points stayed below the tier's threshold for the grace days. */
    GRACE_ENDED,
    /** A return took back qualifying points (reserved; a return's drop starts a grace like a reversal's). */
    RETURN,
    /** A new tier set version moved the member (a tier it no longer has, or a lower threshold). */
    CONFIG_CHANGED
}
