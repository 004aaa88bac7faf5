package dev.loyalty.core.rules;

/**
 * What one rule awarded and why: the points after the tier multiplier and the caps,
 * {@code capped} if a cap cut them, {@code basePoints} before the multiplier, and the member's
 * variant of the experiment the rule's condition names (null if none).
 */
public record Award(String ruleId, String pointType, long points, long basePoints, boolean capped, String variant) {
}
