package dev.loyalty.core.rules;

import java.util.Map;
import java.util.Objects;

/**
 * What a member has already earned from each capped rule in the periods that hold the event's
 * occurredAt (its own DAY, WEEK and MONTH, not today's: a late event counts against the caps of
 * its own period). Read under the member's row lock, so two events cannot both see the last
 * points of a cap.
 */
public record CapUsage(Map<Key, Used> used) {
    public CapUsage {
        used = Map.copyOf(used);
    }

    public record Key(String ruleId, CapPeriod period) {
        public Key {
            Objects.requireNonNull(ruleId, "ruleId");
            Objects.requireNonNull(period, "period");
        }
    }

    /** Points awarded and events counted so far in the period. */
    public record Used(long points, long events) {
        public static final Used NONE = new Used(0, 0);
    }

    public static CapUsage none() {
        return new CapUsage(Map.of());
    }

    public Used of(String ruleId, CapPeriod period) {
        return used.getOrDefault(new Key(ruleId, period), Used.NONE);
    }
}
