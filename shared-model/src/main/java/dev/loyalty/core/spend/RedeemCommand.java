package dev.loyalty.core.spend;

/**
 * A redeem request exactly as received; {@link SpendRules#redeem} validates it.
 *
 * @param description free text for the member's statement; null means none
 */
public record RedeemCommand(long points, String reference, String description) {
}
