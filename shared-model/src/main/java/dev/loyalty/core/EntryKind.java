package dev.loyalty.core;

/** Why a ledger entry moved points. Each kind fixes the sign its points may have. */
public enum EntryKind {
    EARN, REDEEM, EXPIRE, REVERSAL, TRANSFER_IN, TRANSFER_OUT, ADJUSTMENT,
    /** Points a returned purchase's award gave back (negative): see {@code dev.loyalty.core.returns}. */
    RETURN;

    /**
     * Whether an entry of this kind may carry {@code points} (signed). Credits are positive,
     * debits negative; reversals and adjustments correct in either direction. Zero never: an
     * entry that moves nothing would still consume a sequence number and mean nothing.
     */
    public boolean allowsPoints(long points) {
        return switch (this) {
            case EARN, TRANSFER_IN -> points > 0;
            case REDEEM, EXPIRE, TRANSFER_OUT, RETURN -> points < 0;
            case REVERSAL, ADJUSTMENT -> points != 0;
        };
    }
}
