/**
 * Spending points: which lots pay ({@link dev.loyalty.core.spend.SpendingOrder}), and the rules
 * that spend, reserve, undo, move and expire them ({@link dev.loyalty.core.spend.SpendRules}),
 * each a pure function of (member state, command, now, ids) returning the outcome type of that
 * operation ({@code RedeemOutcome}, {@code HoldOutcome}, ... {@code AdjustOutcome}): its success
 * record or {@link dev.loyalty.core.spend.Refused} with one {@link dev.loyalty.core.Refusal}.
 * Adjustments (an operator's signed correction) and the release of holds past their time
 * ({@code expiredHolds}) are rules here too, so the simulation sees them.
 *
 * <ul>
 *   <li>Soonest-expiring points go first, so members lose as little as possible to expiry;
 *       never-expiring lots go last; ties go to the oldest lot, then the lot id, so the choice
 *       is fully deterministic and replayable.</li>
 *   <li>Only lots spendable at {@code now} count: an expired lot is never spent, held or counted
 *       as available, even if the expiry sweep has not yet written its EXPIRE entry; a pending
 *       lot (a rule's return window, {@code Lot#pendingUntil}) is never spent, held or
 *       transferred until its window ends, by time alone. The sweep expires a pending lot whose
 *       expiry comes first like any other.</li>
 *   <li>A spend is all or nothing and never overdraws: available = unexpired lots minus active
 *       holds, never below 0. A redeem, hold or transfer may use only what is available; a
 *       capture may also use its own hold's reservation, never another hold's.</li>
 *   <li>A hold reserves an amount, not lots, until its expiresAt (exclusive). Only an active hold
 *       can be captured (all or part, the rest released) or voided. A hold past its expiry is
 *       EXPIRED whatever storage still says.</li>
 *   <li>A reversal undoes a REDEEM by giving points back to exactly the lots it used, with their
 *       original expiry (latest-spent lot first when partial), or an EARN by taking back what is
 *       left of its lot. No lot gets back more than it gave, and no transaction is reversed for
 *       more than its points. Other kinds are not reversible.</li>
 *   <li>A transfer is one atomic pair of entries; the receiver's new lots keep the type, earnedAt
 *       and expiresAt of the sender's lots, so moving points never changes when they expire.</li>
 *   <li>Every change is a new entry (sequence = version + 1, balanceAfter, occurredAt = recordedAt
 *       = now); balances never go negative. Input is checked in a fixed order (points, reference,
 *       description/reason/ttl, receiver) before any state rule, so the same bad request always
 *       gets the same error.</li>
 * </ul>
 */
package dev.loyalty.core.spend;
