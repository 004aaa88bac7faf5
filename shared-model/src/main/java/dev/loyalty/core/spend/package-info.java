/**
 * Choosing which lots pay for a spend.
 *
 * <ul>
 *   <li>Soonest-expiring points go first, so members lose as little as possible to expiry;
 *       never-expiring lots go last; ties go to the oldest lot, then the lot id, so the choice
 *       is fully deterministic and replayable.</li>
 *   <li>Only lots spendable at {@code now} count: an expired lot is never spent, even if the
 *       expiry sweep has not yet written its EXPIRE entry.</li>
 *   <li>A spend is all or nothing: if the spendable total is short, nothing is allocated.</li>
 * </ul>
 */
package dev.loyalty.core.spend;
