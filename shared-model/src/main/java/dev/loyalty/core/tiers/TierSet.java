package dev.loyalty.core.tiers;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated tier set (see {@link TierSetParser}): tiers in ascending threshold order, the
 * lowest at threshold 0, so every qualifying point total has exactly one tier.
 */
public record TierSet(QualifyingWindow window, Set<String> pointTypes, List<TierLevel> tiers, int graceDays) {
    /** Part 1's behaviour: one tier, MEMBER at 1x, purchases qualify over twelve months. */
    public static final TierSet DEFAULT = new TierSet(QualifyingWindow.ROLLING_12_MONTHS, Set.of("PURCHASE"),
            List.of(new TierLevel("MEMBER", 0, 10_000)), 0);

    public TierSet {
        Objects.requireNonNull(window, "window");
        pointTypes = Set.copyOf(pointTypes);
        tiers = List.copyOf(tiers);
        if (tiers.isEmpty() || tiers.getFirst().threshold() != 0) {
            throw new IllegalArgumentException("the lowest tier's threshold must be 0");
        }
        for (int i = 1; i < tiers.size(); i++) {
            if (tiers.get(i).threshold() <= tiers.get(i - 1).threshold()) {
                throw new IllegalArgumentException("thresholds must increase");
            }
        }
        if (graceDays < 0) {
            throw new IllegalArgumentException("graceDays must not be negative");
        }
    }

    public boolean qualifies(String pointType) {
        return pointTypes.contains(pointType);
    }

    public TierLevel lowest() {
        return tiers.getFirst();
    }

    /** Whether {@code other} counts qualifying points as this set does (same window, same point types). */
    public boolean qualifiesAs(TierSet other) {
        return window == other.window && pointTypes.equals(other.pointTypes);
    }

    /**
     * The qualifying points below which a record at {@code tier}, last evaluated under
     * {@code evaluatedUnder}, with no grace running and nothing due, is certainly left as it is
     * by this set ({@link TierDecision#settled}): the threshold of the tier above it here
     * ({@link Long#MAX_VALUE} at the top); 0 (no record is settled) unless the two sets count
     * qualifying points alike ({@link #qualifiesAs}) and both have the tier at the same threshold
     * (then the review instant, when points fall below it, is the same under both).
     */
    public long settledBelow(TierSet evaluatedUnder, String tier) {
        int r = rank(tier);
        int was = evaluatedUnder.rank(tier);
        if (r < 0 || was < 0 || !qualifiesAs(evaluatedUnder)
                || tiers.get(r).threshold() != evaluatedUnder.tiers().get(was).threshold()) {
            return 0;
        }
        return r + 1 < tiers.size() ? tiers.get(r + 1).threshold() : Long.MAX_VALUE;
    }

    /** The highest tier whose threshold the points reach. */
    public TierLevel tierFor(long qualifyingPoints) {
        TierLevel t = tiers.getFirst();
        for (TierLevel l : tiers) {
            if (qualifyingPoints >= l.threshold()) {
                t = l;
            }
        }
        return t;
    }

    public Optional<TierLevel> find(String name) {
        int r = rank(name); // a loop, not a stream: the tier-review asks this millions of times a run
        return r < 0 ? Optional.empty() : Optional.of(tiers.get(r));
    }

    /** Position in ascending order, or -1 for a name this set does not have. */
    public int rank(String name) {
        for (int i = 0; i < tiers.size(); i++) {
            if (tiers.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The tier above the named one, if any. */
    public Optional<TierLevel> next(String name) {
        int r = rank(name);
        return r >= 0 && r + 1 < tiers.size() ? Optional.of(tiers.get(r + 1)) : Optional.empty();
    }
}
