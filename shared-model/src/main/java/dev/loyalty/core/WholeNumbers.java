package dev.loyalty.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.BiConsumer;

/**
 * A whole number read from a parsed JSON document (rule sets, tier sets): any integral JSON
 * number, exactly; never a fraction, never rounded, never past {@code long}.
 */
public final class WholeNumbers {
    private WholeNumbers() {
    }

    /**
     * {@code o} as a long between {@code min} and {@code max}; otherwise null, with the reason
     * handed to {@code error} at {@code path}.
     */
    public static Long within(Object o, long min, long max, String path, BiConsumer<String, String> error) {
        Long v = switch (o) {
            case Integer i -> (long) i;
            case Long l -> l;
            case Short s -> (long) s;
            case BigInteger b -> b.bitLength() < 64 ? b.longValue() : null;
            case BigDecimal d -> {
                try {
                    yield d.longValueExact();
                } catch (ArithmeticException e) {
                    yield null;
                }
            }
            case null, default -> null;
        };
        if (v == null) {
            error.accept(path, "must be a whole number between " + min + " and " + max);
            return null;
        }
        if (v < min || v > max) {
            error.accept(path, "must be between " + min + " and " + max);
            return null;
        }
        return v;
    }
}
