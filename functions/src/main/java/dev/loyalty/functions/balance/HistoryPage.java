package dev.loyalty.functions.balance;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The 200 body of {@code GET /members/{memberId}/transactions}: newest first. */
@RegisterForReflection
public record HistoryPage(List<Item> items, String nextCursor) {

    /**
     * {@code actor} and {@code requestId} (the audit trail) are shown to admin readers only and
     * left out of the JSON otherwise.
     */
    @RegisterForReflection
    public record Item(UUID transactionId, String kind, long points, long balanceAfter, String type,
                       String reference, Instant occurredAt, Instant recordedAt, String description,
                       @JsonInclude(JsonInclude.Include.NON_NULL) ActorView actor,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String requestId) {
    }

    /** Who made an entry: the caller's sub and the source (api, queue, schedule, console). */
    @RegisterForReflection
    public record ActorView(String sub, String source) {
    }
}
