/**
 * Events out: what each change tells other systems, as pure functions of the core's outcomes.
 *
 * <ul>
 *   <li>One event per change per member, written in the same transaction as the change (the
 *       outbox) and delivered at least once, in order per member.</li>
 *   <li>{@code eventId} is fixed at write time and never changes; consumers dedupe on it.</li>
 *   <li>The per-member sequence is storage's: it increases by one per event of that member.</li>
 * </ul>
 */
package dev.loyalty.core.events;
