package dev.loyalty.functions.balance;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The 200 body of {@code GET /members/{memberId}/transactions}: newest first. */
@RegisterForReflection
public record HistoryPage(List<Item> items, String nextCursor) {

    @RegisterForReflection
    public record Item(UUID transactionId, String kind, long points, long balanceAfter, String type,
                       String reference, Instant occurredAt, Instant recordedAt, String description) {
    }
}
