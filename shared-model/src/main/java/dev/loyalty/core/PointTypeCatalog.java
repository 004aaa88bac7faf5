package dev.loyalty.core;

import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The program's point types and the time zone whose calendar days expiry is counted in.
 * Held as a sorted immutable copy so iteration (and anything listing the codes) is deterministic.
 */
public record PointTypeCatalog(Map<String, PointType> types, ZoneId programZone) {

    public PointTypeCatalog {
        Objects.requireNonNull(types, "types");
        Objects.requireNonNull(programZone, "programZone");
        TreeMap<String, PointType> copy = new TreeMap<>();
        types.forEach((code, type) -> {
            Objects.requireNonNull(type, "type for code " + code);
            // A key that disagrees with its value's code would make lookups and stored codes differ.
            if (!type.code().equals(code)) {
                throw new IllegalArgumentException("catalog key " + code + " != type code " + type.code());
            }
            copy.put(code, type);
        });
        types = Collections.unmodifiableSortedMap(copy);
    }

    /** Null-safe: an absent or null code is simply not found. */
    public Optional<PointType> find(String code) {
        return code == null ? Optional.empty() : Optional.ofNullable(types.get(code));
    }

    /** The known codes, sorted. */
    public Set<String> codes() {
        return types.keySet();
    }

    /** The standard program: purchases last a year, sign-in rewards a month, promos a quarter, bonuses forever. */
    public static PointTypeCatalog defaults(ZoneId programZone) {
        return new PointTypeCatalog(Map.of(
                "PURCHASE", new PointType("PURCHASE", new ExpiryPolicy.AfterDays(365)),
                "SIGN_IN", new PointType("SIGN_IN", new ExpiryPolicy.AfterDays(30)),
                "PROMO", new PointType("PROMO", new ExpiryPolicy.AfterDays(90)),
                "BONUS", new PointType("BONUS", new ExpiryPolicy.Never())), programZone);
    }
}
