package dev.loyalty.functions.balance;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;

/** The 200 body of {@code GET /members/{memberId}/tier}: the member's tier exactly as of now. */
@RegisterForReflection
public record TierView(String memberId, String name, long qualifyingPoints, Next next, Instant since, Instant downgradeAt,
                       List<Change> history) {

    /** The tier above and the qualifying points still missing for it. */
    @RegisterForReflection
    public record Next(String name, long pointsNeeded) {
    }

    @RegisterForReflection
    public record Change(String from, String to, Instant at, String reason) {
    }

    /** The balance answer's {@code tier}. */
    @RegisterForReflection
    public record Summary(String name, long qualifyingPoints) {
    }
}
