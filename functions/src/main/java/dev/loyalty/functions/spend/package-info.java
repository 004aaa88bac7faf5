/**
 * Spending and corrections: redeem, holds (place, capture, void), reversals, transfers and
 * adjustments, one transaction each, decided by the core and written by the ledger writer.
 *
 * <p>A reference names one write of a kind per member: the same request again (any
 * Idempotency-Key) is answered as the first time and writes nothing; a different request
 * under it is 409 REFERENCE_ALREADY_USED with the original transaction. A capture of a captured
 * hold is a retry of that capture, a void of a voided hold a retry of that void.
 *
 * <p>Rules: points leave lots in the core's spending order (first to expire, then oldest,
 * never-expiring last) and every entry records exactly which lots gave how much. Nothing
 * overdraws: {@code available = spendable lots - active holds}, and a refusal says how much
 * is available. A hold past its TTL is released by the sweep or by the next operation on the
 * member, whichever comes first. A reversal restores exactly the lots its transaction used,
 * with their original expiry, and the reversals of a transaction never exceed it. A transfer
 * is one transaction that locks both members in member id order; the receiver's lots keep the
 * sender's expiry dates. Members act on themselves; {@code points:admin} on anyone.
 */
package dev.loyalty.functions.spend;
