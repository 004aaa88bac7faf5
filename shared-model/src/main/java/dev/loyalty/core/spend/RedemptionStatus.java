package dev.loyalty.core.spend;

/** A redemption is PENDING until the shop fulfils it (FULFILLED) or it is cancelled (CANCELLED); both are final. */
public enum RedemptionStatus {
    PENDING, FULFILLED, CANCELLED
}
