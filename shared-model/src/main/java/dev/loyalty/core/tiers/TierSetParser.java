package dev.loyalty.core.tiers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Validates a tier set document (a JSON tree: maps, lists, strings, numbers) field by field and
 * builds the {@link TierSet}, or lists every error with its path. Any error refuses the whole
 * set: unknown fields, an unknown window or point type, a bad or duplicate tier name, a lowest
 * threshold other than 0, thresholds that do not increase, numbers out of range.
 */
public final class TierSetParser {
    public static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");
    public static final int TIERS_MAX = 20;
    public static final long THRESHOLD_MAX = 1_000_000_000_000L;
    public static final int MULTIPLIER_BP_MAX = 100_000;
    public static final int GRACE_DAYS_MAX = 3_650;
    static final Set<String> TOP = Set.of("qualifying", "tiers", "downgrade", "effectiveFrom");
    static final Set<String> QUALIFYING = Set.of("window", "pointTypes");
    static final Set<String> TIER = Set.of("name", "threshold", "earnMultiplierBp");
    static final Set<String> DOWNGRADE = Set.of("graceDays");

    public sealed interface Result {
        record Parsed(TierSet tierSet) implements Result {
        }

        record Invalid(List<TierSetError> errors) implements Result {
        }
    }

    private final List<TierSetError> errors = new ArrayList<>();
    private final Set<String> knownPointTypes;

    private TierSetParser(Set<String> knownPointTypes) {
        this.knownPointTypes = knownPointTypes;
    }

    public static Result parse(Object document, Set<String> pointTypes) {
        return new TierSetParser(pointTypes).document(document);
    }

    private Result document(Object document) {
        if (!(document instanceof Map<?, ?> top)) {
            error("", "the tier set must be a JSON object");
            return new Result.Invalid(List.copyOf(errors));
        }
        unknownFields(top, TOP, "");
        QualifyingWindow window = null;
        Set<String> types = new LinkedHashSet<>();
        Object q = top.get("qualifying");
        if (!(q instanceof Map<?, ?> qm)) {
            error("qualifying", q == null ? "required" : "must be an object");
        } else {
            unknownFields(qm, QUALIFYING, "qualifying");
            Object w = qm.get("window");
            if (w == null) {
                error("qualifying.window", "required");
            } else {
                try {
                    window = QualifyingWindow.valueOf(String.valueOf(w));
                    if (!(w instanceof String)) {
                        throw new IllegalArgumentException();
                    }
                } catch (IllegalArgumentException e) {
                    window = null;
                    error("qualifying.window", "must be ROLLING_12_MONTHS or CALENDAR_YEAR");
                }
            }
            Object pts = qm.get("pointTypes");
            if (!(pts instanceof List<?> pl) || pl.isEmpty()) {
                error("qualifying.pointTypes", "required: a non-empty list of point types");
            } else {
                for (int i = 0; i < pl.size(); i++) {
                    String path = "qualifying.pointTypes[" + i + "]";
                    if (!(pl.get(i) instanceof String s)) {
                        error(path, "must be a string");
                    } else if (!knownPointTypes.contains(s)) {
                        error(path, "unknown point type (known: " + String.join(", ", new TreeSet<>(knownPointTypes)) + ")");
                    } else if (!types.add(s)) {
                        error(path, "duplicate point type");
                    }
                }
            }
        }
        List<TierLevel> tiers = new ArrayList<>();
        Object ts = top.get("tiers");
        if (!(ts instanceof List<?> tl) || tl.isEmpty()) {
            error("tiers", ts == null ? "required" : "must be a non-empty list");
        } else if (tl.size() > TIERS_MAX) {
            error("tiers", "at most " + TIERS_MAX + " tiers");
        } else {
            Set<String> names = new HashSet<>();
            Long previous = null;
            for (int i = 0; i < tl.size(); i++) {
                String path = "tiers[" + i + "]";
                if (!(tl.get(i) instanceof Map<?, ?> m)) {
                    error(path, "a tier must be an object");
                    previous = null;
                    continue;
                }
                int before = errors.size();
                unknownFields(m, TIER, path);
                String name = null;
                if (!(m.get("name") instanceof String n) || !NAME.matcher(n).matches()) {
                    error(path + ".name", "required: must match " + NAME.pattern());
                } else if (!names.add(n)) {
                    error(path + ".name", "duplicate tier name");
                } else {
                    name = n;
                }
                Long threshold = null;
                if (!m.containsKey("threshold")) {
                    error(path + ".threshold", "required");
                } else {
                    threshold = integer(m.get("threshold"), path + ".threshold", 0, THRESHOLD_MAX);
                }
                if (threshold != null) {
                    if (i == 0 && threshold != 0) {
                        error(path + ".threshold", "the first (lowest) tier's threshold must be 0");
                    } else if (i > 0 && previous != null && threshold <= previous) {
                        error(path + ".threshold", "thresholds must increase from one tier to the next");
                    }
                }
                previous = threshold;
                Long bp = m.containsKey("earnMultiplierBp")
                        ? integer(m.get("earnMultiplierBp"), path + ".earnMultiplierBp", 0, MULTIPLIER_BP_MAX) : Long.valueOf(10_000);
                if (errors.size() == before && name != null && threshold != null && bp != null) {
                    tiers.add(new TierLevel(name, threshold, bp.intValue()));
                }
            }
        }
        int graceDays = 0;
        Object d = top.get("downgrade");
        if (d != null) {
            if (!(d instanceof Map<?, ?> dm)) {
                error("downgrade", "must be an object");
            } else {
                unknownFields(dm, DOWNGRADE, "downgrade");
                if (dm.containsKey("graceDays")) {
                    Long g = integer(dm.get("graceDays"), "downgrade.graceDays", 0, GRACE_DAYS_MAX);
                    graceDays = g == null ? 0 : g.intValue();
                }
            }
        }
        if (!errors.isEmpty()) {
            return new Result.Invalid(List.copyOf(errors));
        }
        return new Result.Parsed(new TierSet(window, types, tiers, graceDays));
    }

    private void unknownFields(Map<?, ?> m, Set<String> allowed, String path) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                error(path.isEmpty() ? String.valueOf(k) : path + "." + k, "unknown field");
            }
        }
    }

    private Long integer(Object o, String path, long min, long max) {
        return dev.loyalty.core.WholeNumbers.within(o, min, max, path, this::error);
    }

    private void error(String path, String message) {
        errors.add(new TierSetError(path, message));
    }
}
