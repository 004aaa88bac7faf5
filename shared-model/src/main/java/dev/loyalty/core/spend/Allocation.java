package dev.loyalty.core.spend;

import java.util.Objects;
import java.util.UUID;

/** Take {@code points} (positive) from lot {@code lotId}. */
public record Allocation(UUID lotId, long points) {

    public Allocation {
        Objects.requireNonNull(lotId, "lotId");
        if (points < 1) {
            throw new IllegalArgumentException("points must be >= 1, was " + points);
        }
    }
}
