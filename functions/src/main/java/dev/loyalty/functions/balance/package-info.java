/**
 * Reading a member: balance and paginated history.
 *
 * <p>Rules: {@code balance} is the ledger balance; {@code available} excludes expired lots
 * (even before the sweep records their expiry) and active holds. History is newest first by
 * the member's entry sequence, filtered by recordedAt ({@code from} inclusive, {@code to}
 * exclusive), point type and kind, 1 to 200 per page (default 50), with an opaque cursor that
 * stays valid while new entries arrive. An unknown member gets 404 MEMBER_NOT_FOUND.
 *
 * <p>Statement ({@code from} and {@code to} required, {@code to} exclusive, at most 400 days):
 * the window is cut in the member's entry sequence at the first entry recorded at or after
 * {@code from} and at or after {@code to}, read in one SQL statement, so its items (oldest
 * first) are contiguous and opening balance + items = closing balance exactly. More than
 * 1,000 entries in the window is 400 VALIDATION_FAILED: narrow it (no cursor, so one answer
 * is always a whole statement).
 *
 * <p>Lots and holds (admin only, the console's member page): lots in spending order (earliest
 * expiry, then oldest, never-expiring last), open ones unless {@code status=ALL}; holds newest
 * first; what a lot or hold is at now (expired, pending, spendable; a hold past its time) is the
 * core's {@code Lot} and {@code Hold}; paged with an opaque cursor over an order key that never
 * changes.
 */
package dev.loyalty.functions.balance;
