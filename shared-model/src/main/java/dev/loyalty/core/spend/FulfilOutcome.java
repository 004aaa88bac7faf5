package dev.loyalty.core.spend;

import java.util.Objects;

/** What a fulfilment decided: the redemption, now FULFILLED, or why not. */
public sealed interface FulfilOutcome permits FulfilOutcome.Fulfilled, Refused {
    record Fulfilled(Redemption redemption) implements FulfilOutcome {
        public Fulfilled {
            Objects.requireNonNull(redemption, "redemption");
        }
    }
}
