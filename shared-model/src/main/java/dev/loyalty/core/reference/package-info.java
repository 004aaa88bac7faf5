/**
 * A member's reference names one write of a kind forever. {@link dev.loyalty.core.reference.ReferenceRule}
 * decides, for every write, whether a request carrying a used reference is the same request
 * (a replay: answer what the ledger holds, write nothing) or a different one (409
 * REFERENCE_ALREADY_USED with the original transaction), by comparing
 * {@link dev.loyalty.core.reference.RequestFingerprint}s of every field that changes the effect.
 */
package dev.loyalty.core.reference;
