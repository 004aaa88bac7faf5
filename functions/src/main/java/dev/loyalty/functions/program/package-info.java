/**
 * The program's configuration and business events.
 * <ul>
 *   <li>Rule sets and tier sets are immutable versions ({@code rule_sets}, {@code tier_sets}): entities
 *       (Hibernate Reactive Panache) behind one store, {@link dev.loyalty.functions.program.VersionedDocuments},
 *       with {@link dev.loyalty.functions.program.RuleSets} and {@link dev.loyalty.functions.program.TierSets}
 *       as facades. A new version may not take effect before the latest one; reads pick the version
 *       in force at an instant; parsed versions are cached in memory by version number (they never
 *       change). Publishing writes the version and its {@code program.*.published} event in one
 *       transaction, behind the Idempotency-Key like every write.</li>
 *   <li>A business event ({@link dev.loyalty.functions.program.EventService}) is two round trips like
 *       every write: (1) the account lock, the event's reference, the rule set in force at its
 *       occurredAt (the document only when not cached), the cap usage of its DAY/WEEK/MONTH;
 *       (2) the awards' entries and lots, the account, the cap usage, the event row and the outbox.
 *       A queue batch's business events are two round trips too, whatever their number
 *       ({@link dev.loyalty.functions.program.EventService#applyBatch}): the same reads set-based
 *       for all of them (the rule and tier set versions over the batch's occurredAt range), then the
 *       same per-event decision as a single event, carrying each member's balance, cap usage and
 *       tier from one of its events to the next, then one write of all of them
 *       ({@link dev.loyalty.functions.store.LedgerWriter#eventsRecorded}).</li>
 *   <li>A return ({@code event: "return"}) goes to the core's return rule, not the rules: (1) the
 *       account lock, the return's reference, the closing, the purchase with its awards, lots and
 *       returned total, the member's lots and holds; (2) the RETURN entries, lots, account,
 *       {@code returns}/{@code return_awards}, the event row and ONE {@code points.returned}. It
 *       shares the events' reference space: a retry gets its first answer, another request 409.</li>
 *   <li>Tier sets are immutable versions in {@code tier_sets} ({@link dev.loyalty.functions.program.TierSets}).
 *       An event's awards earn with the member's tier before the event (read in round trip 1 with the
 *       rest, {@link dev.loyalty.functions.tiers.MemberTiers}) at its multiplier in the tier set in force
 *       at the event's occurredAt; the awards' qualifying days and the tier decided after them are
 *       written in round trip 2. A rule set's {@code when.tiers} may name the tiers of the tier set
 *       versions in force from its effectiveFrom on (the one in force then and every later one
 *       published so far, {@link dev.loyalty.functions.program.TierSets#namesFrom}); any other name
 *       refuses it whole. A simulation's draft may also name the example tiers of
 *       {@link dev.loyalty.functions.program.ProgramTiers}. Tier set publications do not re-check
 *       published rule sets: a rule naming a tier no set has any more simply never matches.</li>
 * </ul>
 */
package dev.loyalty.functions.program;
