/**
 * Earning points: {@code POST /members/{memberId}/earn}.
 *
 * <p>Rules: the caller needs {@code points:earn} or {@code points:admin}; every request carries
 * an Idempotency-Key. The core ({@link dev.loyalty.core.earn.EarnRule}) decides; a rejected
 * command writes nothing, not even the member's account. A second earn with the same member
 * and reference answers the original outcome (same body) when the request matches, and
 * 409 REFERENCE_ALREADY_USED when it does not. A member exists from its first earn.
 * An optional {@code expiresAt} (migrating lots from another system) sets the lot's expiry
 * instead of the point type's policy; only {@code points:admin} may send it (anyone else gets
 * 403 FORBIDDEN and nothing is written), and the core bounds it.
 */
package dev.loyalty.functions.earn;
