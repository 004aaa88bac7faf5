package dev.loyalty.functions.earn;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.UUID;

/** The 201 body of an earn; a replay rebuilds exactly this from the ledger. */
@RegisterForReflection
public record EarnReceipt(UUID transactionId, String memberId, long points, long balance, LotView lot) {

    @RegisterForReflection
    public record LotView(UUID lotId, long points, Instant expiresAt) {
    }
}
