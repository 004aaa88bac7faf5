package dev.loyalty.core;

/**
 * Bounds on the points one operation may move. The upper bound keeps any single request far
 * from {@code long} overflow and catches fat-fingered amounts.
 */
public final class Points {

    public static final long MIN_PER_OPERATION = 1L;
    public static final long MAX_PER_OPERATION = 1_000_000_000L;

    private Points() {
    }

    public static boolean isValidAmount(long points) {
        return points >= MIN_PER_OPERATION && points <= MAX_PER_OPERATION;
    }
}
