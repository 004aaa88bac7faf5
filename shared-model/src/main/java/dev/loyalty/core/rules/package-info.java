/**
 * Program rules: points computed from business events.
 *
 * <ul>
 *   <li>A {@link dev.loyalty.core.rules.RuleSet} is data, published as immutable versions; an
 *       event is evaluated with the version in force at its {@code occurredAt}.</li>
 *   <li>{@link dev.loyalty.core.rules.RulesEngine#evaluate} is a pure function of (rule set, tier,
 *       the member's cap usage in the event's periods, event, zone): every matching rule awards
 *       (awards stack); {@code floor(amount * points / perAmount)}, then the tier multiplier
 *       ({@code floor(award * bp / 10000)}), then the caps of the event's own DAY / WEEK / MONTH.
 *       Integer arithmetic only.</li>
 *   <li>Experiments assign a member by a stable hash of (experiment id, member id) into 0..99,
 *       split by the variants' weights in their listed order.</li>
 *   <li>{@link dev.loyalty.core.rules.RuleSetParser} validates every field of a rule set document
 *       and reports each error with its path ({@code rules[2].caps[0].period}); a document with
 *       any error is refused whole.</li>
 *   <li>A rule's {@code pendingDays} (1..3650) keeps its award's lot pending until the end of that
 *       day after occurredAt in the program's zone ({@link dev.loyalty.core.rules.Rule#windowEnd}):
 *       in the balance, not spendable, available by time alone. The event name {@code return} is
 *       reserved for returns ({@code dev.loyalty.core.returns}).</li>
 * </ul>
 */
package dev.loyalty.core.rules;
