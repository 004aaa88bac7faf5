package dev.loyalty.core.rules;

import java.util.List;
import java.util.Objects;

/**
 * One rule: on {@code event}, award {@code points} of {@code pointType}, or with
 * {@code perAmount} {@code floor(amount * points / perAmount)}; {@code when} (nullable) must hold.
 */
public record Rule(String id, String event, String pointType, long points, Long perAmount, Condition when,
                   List<Cap> caps) {
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(pointType, "pointType");
        caps = caps == null ? List.of() : List.copyOf(caps);
    }
}
