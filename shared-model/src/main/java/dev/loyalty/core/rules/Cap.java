package dev.loyalty.core.rules;

import java.util.Objects;

/**
 * A per member and rule limit in one calendar period: {@code maxPoints} cuts an award to what is
 * left, {@code maxEvents} lets only that many events of the period earn from the rule. Exactly
 * one of the two is set.
 */
public record Cap(CapPeriod period, Long maxPoints, Long maxEvents) {
    public Cap {
        Objects.requireNonNull(period, "period");
        if ((maxPoints == null) == (maxEvents == null)) {
            throw new IllegalArgumentException("a cap has exactly one of maxPoints and maxEvents");
        }
    }
}
