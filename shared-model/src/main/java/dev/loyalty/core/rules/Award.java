package dev.loyalty.core.rules;

/**
 * What one rule awarded and why: the points after the tier multiplier and the caps,
 * {@code capped} if a cap cut them, {@code basePoints} before the multiplier, and the member's
 * variant of the experiment the rule's condition names (null if none), and the rule's
 * {@code pendingDays} (null if none).
 */
public record Award(String ruleId, String pointType, long points, long basePoints, boolean capped, String variant,
                    Integer pendingDays) {

    /** An award without a return window. */
    public Award(String ruleId, String pointType, long points, long basePoints, boolean capped, String variant) {
        this(ruleId, pointType, points, basePoints, capped, variant, null);
    }

    /** See {@link Rule#pendingUntil}: the same rule, for the award the rule made. */
    public java.time.Instant pendingUntil(java.time.Instant occurredAt, java.time.ZoneId zone) {
        return Rule.windowEnd(pendingDays, occurredAt, zone);
    }
}
