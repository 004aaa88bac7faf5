package dev.loyalty.core.spend;

/**
 * Where a hold is in its life. Only {@link #HELD} reserves points, and only until the hold's
 * {@code expiresAt}: storage may still say HELD after that instant, because the sweep writes
 * {@link #EXPIRED} later; the rules go by time, never by the stored status alone.
 */
public enum HoldStatus {
    /** Reserving its points until expiresAt. */
    HELD,
    /** Turned into a REDEEM entry (all or part of it; the rest was released). */
    CAPTURED,
    /** Released on request. */
    VOIDED,
    /** Released because its time ran out. */
    EXPIRED
}
