package dev.loyalty.core.spend;

/**
 * A redemption request exactly as received; {@link RedemptionRules#redeem} validates it.
 *
 * @param quantity null means 1
 */
public record RedemptionCommand(String rewardId, Integer quantity, String reference) {
    public int resolvedQuantity() {
        return quantity == null ? 1 : quantity;
    }
}
