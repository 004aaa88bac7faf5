package dev.loyalty.core.spend;

/**
 * A request to move points to another member, exactly as received; {@link SpendRules#transfer}
 * validates it.
 *
 * @param toMemberId  the receiver's raw member id
 * @param description free text for both members' statements; null means none
 */
public record TransferCommand(String toMemberId, long points, String reference, String description) {
}
