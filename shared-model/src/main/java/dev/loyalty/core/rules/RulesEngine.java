package dev.loyalty.core.rules;

import dev.loyalty.core.Limits;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.Points;
import dev.loyalty.core.Refusal;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Points from business events as pure functions: {@link #validate} (the event alone, before any
 * state is read) and {@link #evaluate} (the event against the rule set in force, the member's
 * tier and cap usage). Integer arithmetic only; time is passed in.
 */
public final class RulesEngine {
    public static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    /** Reserved for returns ({@code dev.loyalty.core.returns}): routes send it to the return rule, never to the rules. */
    public static final String RETURN_EVENT = "return";
    public static final long AMOUNT_MIN = 1;
    public static final long AMOUNT_MAX = 1_000_000_000_000L;
    public static final int ATTRIBUTES_MAX = 20;
    public static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,63}");
    public static final int ATTRIBUTE_VALUE_MAX_LENGTH = 256;
    public static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private RulesEngine() {
    }

    /** The event's own bounds, in precedence order; empty if it may be evaluated. */
    public static Optional<Refusal> validate(BusinessEvent e, Instant now) {
        Objects.requireNonNull(e, "event");
        Objects.requireNonNull(now, "now");
        if (!MemberId.isValid(e.memberId())) {
            return Optional.of(new Refusal.InvalidMemberId("memberId", e.memberId()));
        }
        if (e.event() == null || !EVENT_NAME.matcher(e.event()).matches()) {
            return invalid("event", "event must match [a-z][a-z0-9_]{0,39}");
        }
        if (RETURN_EVENT.equals(e.event())) {
            return invalid("event", "a return is not evaluated by the rules (it names its purchase in originalReference)");
        }
        if (!Limits.isValidReference(e.reference())) {
            return Optional.of(new Refusal.InvalidReference(e.reference()));
        }
        if (e.occurredAt() != null) {
            Instant latestAllowed = now.plusSeconds(Limits.FUTURE_SKEW_SECONDS);
            if (e.occurredAt().isAfter(latestAllowed)) {
                return Optional.of(new Refusal.OccurredInFuture(e.occurredAt(), latestAllowed));
            }
            if (e.occurredAt().isBefore(Limits.OCCURRED_AT_MIN)) {
                return Optional.of(new Refusal.OccurredTooLongAgo(e.occurredAt(), Limits.OCCURRED_AT_MIN));
            }
        }
        if (e.amount() != null && (e.amount() < AMOUNT_MIN || e.amount() > AMOUNT_MAX)) {
            return invalid("amount", "amount must be between 1 and 1000000000000 (minor currency units)");
        }
        if (e.currency() != null && !CURRENCY.matcher(e.currency()).matches()) {
            return invalid("currency", "currency must be three upper-case letters (ISO 4217)");
        }
        if (e.attributes().size() > ATTRIBUTES_MAX) {
            return invalid("attributes", "at most " + ATTRIBUTES_MAX + " attributes");
        }
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            if (!ATTRIBUTE_NAME.matcher(a.getKey()).matches()) {
                return invalid("attributes", "attribute names must match [A-Za-z][A-Za-z0-9_.:-]{0,63}");
            }
            String v = a.getValue();
            if (v == null || v.length() > ATTRIBUTE_VALUE_MAX_LENGTH || !Limits.isValidDescription(v)) {
                return invalid("attributes." + a.getKey(),
                        "attribute values must be strings of at most " + ATTRIBUTE_VALUE_MAX_LENGTH + " characters without control characters");
            }
        }
        if (!Limits.isValidDescription(e.description())) {
            return Optional.of(new Refusal.InvalidText("description", e.description().length(), false));
        }
        return Optional.empty();
    }

    /**
     * Evaluates a valid event (see {@link #validate}) whose occurredAt is resolved: every rule of
     * the event's name whose condition holds awards (awards stack, in rule order); an award is
     * {@code points}, or {@code floor(amount * points / perAmount)}; then the tier multiplier
     * {@code floor(award * bp / 10000)}; then each cap of the rule in the event's own period:
     * {@code maxEvents} reached gives 0, {@code maxPoints} cuts to what is left ({@code capped}).
     * A rule whose condition holds counts as one event for its caps even when it awards 0.
     */
    public static EvaluationOutcome evaluate(RuleSet rules, long rulesVersion, Tier tier, CapUsage usage,
                                             BusinessEvent event, Instant occurredAt, ZoneId zone) {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(zone, "zone");
        if (!rules.handles(event.event())) {
            return new EvaluationOutcome.Refused(new Refusal.UnknownEvent(rulesVersion));
        }
        Map<String, String> variants = new TreeMap<>();
        for (Experiment x : rules.experiments()) {
            variants.put(x.id(), x.variantOf(event.memberId()));
        }
        List<Award> awards = new ArrayList<>();
        List<CapCharge> charges = new ArrayList<>();
        for (Rule rule : rules.rules()) {
            if (!rule.event().equals(event.event()) || !holds(rule.when(), tier, event, occurredAt, variants)) {
                continue;
            }
            long base;
            if (rule.perAmount() == null) {
                base = rule.points();
            } else if (event.amount() == null) {
                return new EvaluationOutcome.Refused(new Refusal.AmountRequired(rule.id()));
            } else {
                // amount <= 10^12 and points <= 10^6: the product fits a long; exact anyway.
                base = Math.multiplyExact(event.amount(), rule.points()) / rule.perAmount();
            }
            if (base > Points.MAX_PER_OPERATION) {
                return new EvaluationOutcome.Refused(new Refusal.AwardTooLarge(rule.id()));
            }
            long points = Math.multiplyExact(base, (long) tier.earnMultiplierBp()) / Tier.ONE_X_BP;
            if (points > Points.MAX_PER_OPERATION) {
                return new EvaluationOutcome.Refused(new Refusal.AwardTooLarge(rule.id()));
            }
            boolean capped = false;
            for (Cap cap : rule.caps()) {
                CapUsage.Used used = usage.of(rule.id(), cap.period());
                if (cap.maxEvents() != null && used.events() >= cap.maxEvents()) {
                    capped = capped || points > 0;
                    points = 0;
                }
                if (cap.maxPoints() != null) {
                    long left = Math.max(0, cap.maxPoints() - used.points());
                    if (points > left) {
                        points = left;
                        capped = true;
                    }
                }
            }
            // Each capped period once, with the final award (caps of one period share a counter).
            final long charged = points;
            rule.caps().stream().map(Cap::period).distinct().forEach(period -> charges.add(
                    new CapCharge(rule.id(), period, period.start(occurredAt, zone), charged, 1)));
            if (points > 0) {
                String variant = rule.when() == null || rule.when().variant() == null ? null
                        : variants.get(rule.when().variant().experiment());
                awards.add(new Award(rule.id(), rule.pointType(), points, base, capped, variant, rule.pendingDays()));
            }
        }
        return new EvaluationOutcome.Evaluated(new Evaluation(awards, charges, variants));
    }

    private static boolean holds(Condition when, Tier tier, BusinessEvent event, Instant occurredAt,
                                 Map<String, String> variants) {
        if (when == null) {
            return true;
        }
        if (when.attributes() != null) {
            for (Map.Entry<String, List<String>> a : when.attributes().entrySet()) {
                String value = event.attributes().get(a.getKey());
                if (value == null || !a.getValue().contains(value)) {
                    return false;
                }
            }
        }
        if (when.tiers() != null && !when.tiers().contains(tier.name())) {
            return false;
        }
        if (when.from() != null && occurredAt.isBefore(when.from())) {
            return false;
        }
        if (when.to() != null && !occurredAt.isBefore(when.to())) {
            return false;
        }
        if (when.variant() != null && !when.variant().is().equals(variants.get(when.variant().experiment()))) {
            return false;
        }
        return true;
    }

    private static Optional<Refusal> invalid(String field, String reason) {
        return Optional.of(new Refusal.InvalidEventField(field, reason));
    }
}
