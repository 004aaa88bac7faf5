package dev.loyalty.core.rules;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A rule's {@code when}: every part that is present must hold. {@code attributes}: each named
 * attribute of the event must have one of the listed values; {@code tiers}: the member's tier is
 * listed; {@code from} (inclusive) .. {@code to} (exclusive) holds the event's occurredAt;
 * {@code variant}: the member's variant in the experiment is the one named.
 */
public record Condition(Map<String, List<String>> attributes, List<String> tiers, Instant from, Instant to,
                        VariantCondition variant) {
    public Condition {
        attributes = attributes == null ? null : Map.copyOf(attributes);
        tiers = tiers == null ? null : List.copyOf(tiers);
    }

    public record VariantCondition(String experiment, String is) {
    }
}
