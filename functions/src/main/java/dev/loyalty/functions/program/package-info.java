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
 *       (2) the awards' entries and lots, the account, the cap usage, the event row and the outbox.</li>
 *   <li>Tier sets' use by the engine arrives with its own issue: every member is MEMBER (1x) until then;
 *       rule sets may already name the placeholder tiers of {@link dev.loyalty.functions.program.ProgramTiers}.</li>
 * </ul>
 */
package dev.loyalty.functions.program;
