package dev.loyalty.core.spend;

import java.util.UUID;

/**
 * A request to undo all or part of an earlier transaction, exactly as received;
 * {@link SpendRules#reverse} validates it.
 *
 * @param points how much to reverse; null means everything that can still be reversed
 * @param reason why, for the statement; null means none; validated like a description
 */
public record ReversalCommand(UUID transactionId, Long points, String reference, String reason) {
}
