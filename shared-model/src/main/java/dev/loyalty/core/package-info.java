/**
 * The ledger's vocabulary and invariants, as plain immutable values.
 *
 * <ul>
 *   <li>Points are whole {@code long}s; one operation moves 1..1,000,000,000 of them, and every
 *       sum uses {@code Math.addExact} so an overflow fails loudly instead of wrapping.</li>
 *   <li>A member's history is an append-only list of {@link dev.loyalty.core.LedgerEntry}s; the
 *       account's version is the number of entries, and each entry's sequence is the version
 *       after it, so (member, sequence) is unique and gapless.</li>
 *   <li>Earned points live in {@link dev.loyalty.core.Lot}s. A lot with an expiry stops being
 *       spendable at the first instant of the day after its last day, in the program's time
 *       zone ({@link dev.loyalty.core.ExpiryPolicy}). A lot with a {@code pendingUntil} (a rule's
 *       return window) counts in the balance and is not spendable before it.</li>
 *   <li>Every refusal of every rule is one {@link dev.loyalty.core.Refusal} record, defined once.</li>
 *   <li>Time is always an argument: nothing here reads a clock.</li>
 * </ul>
 */
package dev.loyalty.core;
