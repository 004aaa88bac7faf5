package dev.loyalty.core.events;

/**
 * Every domain event type of the contract ("Events out"), with the name consumers see as the
 * EventBridge {@code DetailType} and the {@code type} of the detail. A JSON Schema per type lives
 * in {@code events/schemas/events/<name>.schema.json}.
 */
public enum EventType {
    POINTS_EARNED("points.earned"),
    POINTS_REDEEMED("points.redeemed"),
    POINTS_REVERSED("points.reversed"),
    POINTS_RETURNED("points.returned"),
    POINTS_EXPIRED("points.expired"),
    POINTS_TRANSFERRED("points.transferred"),
    POINTS_ADJUSTED("points.adjusted"),
    HOLD_PLACED("hold.placed"),
    HOLD_CAPTURED("hold.captured"),
    HOLD_VOIDED("hold.voided"),
    HOLD_RELEASED("hold.released"),
    TIER_CHANGED("tier.changed"),
    REDEMPTION_CREATED("redemption.created"),
    REDEMPTION_FULFILLED("redemption.fulfilled"),
    REDEMPTION_CANCELLED("redemption.cancelled"),
    ACCOUNT_CLOSED("account.closed"),
    PROGRAM_RULES_PUBLISHED("program.rules.published"),
    PROGRAM_TIERS_PUBLISHED("program.tiers.published"),
    POINTS_EXPIRING("points.expiring");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, e.g. {@code points.earned}. */
    public String wireName() {
        return wireName;
    }
}
