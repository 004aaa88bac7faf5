package dev.loyalty.core.rules;

import java.time.LocalDate;

/** What an event adds to a capped rule's usage in one period: the points it awarded and one event. */
public record CapCharge(String ruleId, CapPeriod period, LocalDate periodStart, long points, long events) {
}
