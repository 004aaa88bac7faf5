package dev.loyalty.functions.balance;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The 200 body of {@code GET /members/{memberId}/balance}. {@code pending}: points in their
 * return window (in {@code balance}, not in {@code available}, {@code byType} or {@code expiring}).
 */
@RegisterForReflection
public record BalanceView(String memberId, long balance, long available, long held, long pending,
                          Map<String, Long> byType, List<Expiring> expiring, TierView.Summary tier) {

    @RegisterForReflection
    public record Expiring(long points, Instant expiresAt) {
    }
}
