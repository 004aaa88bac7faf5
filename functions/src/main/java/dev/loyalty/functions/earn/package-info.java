/**
 * Earning points: {@code POST /members/{memberId}/earn}.
 *
 * <p>Rules: the caller needs {@code points:earn} or {@code points:admin}; every request carries
 * an Idempotency-Key. The core ({@link dev.loyalty.core.earn.EarnRule}) decides; a rejected
 * command writes nothing, not even the member's account. A second earn with the same member
 * and reference answers the original outcome (same body) when the request matches, and
 * 409 REFERENCE_ALREADY_USED when it does not. A member exists from its first earn.
 */
package dev.loyalty.functions.earn;
