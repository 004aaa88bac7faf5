package dev.loyalty.core.spend;

/**
 * An operator's closing of a member's account, exactly as received; {@link SpendRules#close}
 * validates it.
 *
 * @param reason why, required: it is what an auditor reads
 */
public record CloseCommand(String reason, String reference) {
}
