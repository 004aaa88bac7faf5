package dev.loyalty.core.spend;

import dev.loyalty.core.AccountState;
import dev.loyalty.core.LedgerEntry;
import dev.loyalty.core.Lot;

import java.util.List;
import java.util.Objects;

/**
 * What a transfer decided: both sides, written in one transaction.
 * Lists of lots are the lots as they are AFTER the change.
 */
public sealed interface TransferOutcome permits TransferOutcome.Transferred, Refused {

    /**
     * Both sides of a transfer, to be written in ONE database transaction: the sender's
     * TRANSFER_OUT entry and lots after, the receiver's TRANSFER_IN entry and new lots (one per
     * sender allocation, in the same order, with the sender lot's type, earnedAt and expiresAt).
     */
    record Transferred(LedgerEntry out, List<Allocation> outAllocations, List<Lot> changedSenderLots,
                       AccountState senderAfter, LedgerEntry in, List<Lot> newReceiverLots,
                       AccountState receiverAfter) implements TransferOutcome {
        public Transferred {
            Objects.requireNonNull(out, "out");
            outAllocations = List.copyOf(outAllocations);
            changedSenderLots = List.copyOf(changedSenderLots);
            Objects.requireNonNull(senderAfter, "senderAfter");
            Objects.requireNonNull(in, "in");
            newReceiverLots = List.copyOf(newReceiverLots);
            Objects.requireNonNull(receiverAfter, "receiverAfter");
        }
    }
}
