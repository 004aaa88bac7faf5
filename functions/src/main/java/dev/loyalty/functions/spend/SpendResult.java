package dev.loyalty.functions.spend;

import dev.loyalty.core.Refusal;

import java.util.Objects;

/** What a spending operation did, in domain terms; the function maps it to HTTP. */
public sealed interface SpendResult {
    /** Applied now, or found already applied by the same request ({@code replayed}): its receipt. */
    record Done(Object receipt, boolean replayed) implements SpendResult {
        public Done {
            Objects.requireNonNull(receipt, "receipt");
        }
    }

    /** Refused by a rule (the core's, or the reference rule); nothing changed. */
    record Refused(Refusal refusal) implements SpendResult {
        public Refused {
            Objects.requireNonNull(refusal, "refusal");
        }
    }
}
