/**
 * Reading a member: balance and paginated history.
 *
 * <p>Rules: {@code balance} is the ledger balance; {@code available} excludes expired lots
 * (even before the sweep records their expiry) and active holds. History is newest first by
 * the member's entry sequence, filtered by recordedAt ({@code from} inclusive, {@code to}
 * exclusive), point type and kind, 1 to 200 per page (default 50), with an opaque cursor that
 * stays valid while new entries arrive. An unknown member gets 404 MEMBER_NOT_FOUND.
 */
package dev.loyalty.functions.balance;
