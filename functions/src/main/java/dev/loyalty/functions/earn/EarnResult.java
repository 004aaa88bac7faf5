package dev.loyalty.functions.earn;

import dev.loyalty.core.Refusal;

/** What an earn did, in domain terms; the function (or the queue) maps it. */
public sealed interface EarnResult {
    /** Newly applied. */
    record Applied(EarnReceipt receipt) implements EarnResult {
    }

    /** The same member and reference was applied before with the same request: its original answer. */
    record AlreadyApplied(EarnReceipt receipt) implements EarnResult {
    }

    /** Refused by a rule (the core's, or the reference rule: REFERENCE_ALREADY_USED); nothing changed. */
    record Refused(Refusal refusal) implements EarnResult {
    }
}
