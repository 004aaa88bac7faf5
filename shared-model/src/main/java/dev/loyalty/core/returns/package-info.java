/**
 * Returns: taking back exactly what a returned purchase earned, never twice, never into a
 * negative balance ({@link dev.loyalty.core.returns.ReturnRules}, a pure function of (member
 * state, command, the original purchase, now, ids)).
 *
 * <ul>
 *   <li>Each award of the purchase owes back, over all its returns together,
 *       {@code floor(award * returnedSoFar / purchaseAmount)}: a return owes the growth of that
 *       floor, so partial returns add up to exactly the award at a full return and never more at
 *       any step, whatever the split. Integer arithmetic only (BigInteger for the product). What
 *       a reversal of the award's EARN entry already took is never taken back again: a return
 *       owes at most what reversals and earlier returns left of the award.</li>
 *   <li>A return takes from the award's own lot first (pending or unspent, not expired: an
 *       expired lot's points go to the sweep), for every award; then the rest from the member's
 *       other AVAILABLE points (spendable, less active holds) in the core's spending order,
 *       earliest expiry first; pending lots of other purchases are never touched. What is still
 *       missing is the award's shortfall: recorded and reported, never a negative balance or lot.
 *       Taking the own lot first may leave active holds without cover, as expiry can; they are
 *       then captured for less or fail, as after an expiry.</li>
 *   <li>One RETURN entry (negative) per award that gave anything back, with the award's point
 *       type; its allocations name the lots it took from (own lot first).</li>
 *   <li>A purchase without an amount is one unit: it can only be returned whole.</li>
 *   <li>Refusals, in precedence order: the command's own fields (VALIDATION_FAILED), an unknown
 *       original (EVENT_NOT_FOUND), a return over what is left of the purchase or of a purchase
 *       returned in full (RETURN_EXCEEDS_PURCHASE with {@code returnable}).</li>
 * </ul>
 */
package dev.loyalty.core.returns;
