package dev.loyalty.core.spend;

import java.util.List;
import java.util.Objects;

/** What {@link SpendingOrder#allocate} decided. */
public sealed interface AllocationResult {

    /** Allocations in spending order, summing exactly to {@code points}. */
    record Allocated(List<Allocation> allocations, long points) implements AllocationResult {
        public Allocated {
            allocations = List.copyOf(Objects.requireNonNull(allocations, "allocations"));
            long sum = 0;
            for (Allocation a : allocations) {
                sum = Math.addExact(sum, a.points());
            }
            if (allocations.isEmpty() || sum != points) {
                throw new IllegalArgumentException("allocations sum to " + sum + ", not " + points);
            }
        }
    }

    /** Nothing was allocated; {@code available} is what the member could spend now. */
    record Shortfall(long requested, long available) implements AllocationResult {
        public Shortfall {
            if (available < 0 || available >= requested) {
                throw new IllegalArgumentException("available " + available + " does not fall short of " + requested);
            }
        }
    }
}
