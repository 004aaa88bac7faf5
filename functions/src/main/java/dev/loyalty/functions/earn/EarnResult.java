package dev.loyalty.functions.earn;

import dev.loyalty.core.earn.EarnOutcome;

import java.util.UUID;

/** What an earn did, as the boundary sees it. */
public sealed interface EarnResult {
    /** Newly applied. */
    record Applied(EarnReceipt receipt) implements EarnResult {
    }

    /** The same member and reference was applied before with the same request: its original answer. */
    record AlreadyApplied(EarnReceipt receipt) implements EarnResult {
    }

    /** The reference was used before for a different earn: refused, nothing changed. */
    record ReferenceReusedWithDifferentRequest(UUID originalTransactionId) implements EarnResult {
    }

    /** The core rejected the command: nothing changed. */
    record Rejected(EarnOutcome.Rejected rejection) implements EarnResult {
    }
}
