package dev.loyalty.core.tiers;

/** Why a member's tier changed ({@code tier.changed} events, tier history). */
public enum TierChangeReason {
    /** An earn crossed a threshold: upgraded at once. */
    QUALIFIED,
    /**
     * Qualifying points stayed below the tier's threshold for the grace days, having gone below
     * as old earns left the window (or under a new tier set version).
     */
    GRACE_ENDED,
    /**
     * Qualifying points stayed below the tier's threshold for the grace days, having gone below
     * at a return or a reversal that took them back (recorded at the grace's end, like
     * GRACE_ENDED; at once when graceDays is 0). A grace already running when a take-back
     * lowers the points further keeps the reason it started with.
     */
    RETURN,
    /** A new tier set version moved the member (a tier it no longer has, or a lower threshold). */
    CONFIG_CHANGED
}
