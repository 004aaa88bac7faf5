/**
 * Earning points: {@link dev.loyalty.core.earn.EarnRule} turns a raw command into either one
 * EARN entry plus one lot, or exactly one rejection.
 *
 * <ul>
 *   <li>Checks run in a fixed order (member id, points, type, reference, occurredAt, description,
 *       expiresAt, balance overflow) and the first failure is the answer, so the same bad request always
 *       gets the same error.</li>
 *   <li>occurredAt defaults to now, may be at most 300 s ahead of now (clock skew), and may be
 *       any time in the past: a back-dated earn whose expiry has already passed is still recorded,
 *       and the next expiry sweep removes it, so the history stays complete.</li>
 *   <li>The lot's expiry comes from the point type's policy applied to occurredAt, in the
 *       program's time zone, unless the command carries an explicit {@code expiresAt} (lots
 *       migrated from another system): then that instant, which must be after occurredAt and at
 *       most 100 years later. It may already have passed: the lot is recorded and the next sweep
 *       expires it. Who may send it is the adapter's check (the API: points:admin only).</li>
 * </ul>
 */
package dev.loyalty.core.earn;
