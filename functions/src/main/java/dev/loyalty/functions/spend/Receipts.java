package dev.loyalty.functions.spend;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The success bodies of the spending routes, as the contract names their fields. */
public final class Receipts {
    private Receipts() {
    }

    @RegisterForReflection
    public record AllocationView(UUID lotId, long points) {
    }

    /** 201 of a redeem. */
    @RegisterForReflection
    public record Redeemed(UUID transactionId, long points, long balance, List<AllocationView> allocations) {
    }

    /** 201 of a hold. */
    @RegisterForReflection
    public record HoldPlaced(UUID holdId, long points, String status, Instant expiresAt, long available) {
    }

    /** 201 of a capture, a reversal or a transfer. */
    @RegisterForReflection
    public record Transaction(UUID transactionId, long points, long balance) {
    }

    /** 200 of a void. */
    @RegisterForReflection
    public record Voided(UUID holdId, String status, long available) {
    }

    /** The 200 body of a closing: the account is CLOSED and {@code forfeited} points were taken. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Closed(String memberId, String status, long forfeited, Instant closedAt) {
    }
}
