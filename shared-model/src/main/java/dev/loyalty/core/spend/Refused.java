package dev.loyalty.core.spend;

import dev.loyalty.core.Refusal;

import java.util.Objects;

/** The refusal case of every spend-side outcome: nothing is to be written. */
public record Refused(Refusal refusal) implements RedeemOutcome, HoldOutcome, CaptureOutcome, VoidOutcome,
        ReversalOutcome, TransferOutcome, AdjustOutcome, CloseOutcome, RedemptionOutcome, FulfilOutcome,
        CancelOutcome {
    public Refused {
        Objects.requireNonNull(refusal, "refusal");
    }
}
