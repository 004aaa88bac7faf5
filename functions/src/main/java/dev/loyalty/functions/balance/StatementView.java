package dev.loyalty.functions.balance;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;

/**
 * The 200 body of {@code GET /members/{memberId}/statement}: the balance before the window, its
 * entries oldest first (history items), and the balance after them. The items are contiguous in
 * the member's entry sequence, so {@code openingBalance + sum(items.points) == closingBalance}.
 */
@RegisterForReflection
public record StatementView(String memberId, Instant from, Instant to, long openingBalance,
                            List<HistoryPage.Item> items, long closingBalance) {
}
