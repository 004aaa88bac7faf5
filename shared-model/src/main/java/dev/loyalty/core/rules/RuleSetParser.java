package dev.loyalty.core.rules;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a rule set document (a JSON tree: maps, lists, strings, numbers, booleans) field by
 * field and builds the {@link RuleSet}, or lists every error with its path. A document with any
 * error is refused whole. Unknown point types, tiers and experiments are errors, as are
 * duplicate ids, bad periods, non-positive numbers and unknown fields.
 */
public final class RuleSetParser {
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    public static final int RULES_MAX = 200;
    public static final int EXPERIMENTS_MAX = 20;
    public static final int CAPS_MAX = 6;
    public static final int VARIANTS_MAX = 10;
    public static final int ATTRIBUTE_VALUES_MAX = 50;
    public static final long POINTS_MAX = 1_000_000;
    public static final long PER_AMOUNT_MAX = 1_000_000_000;
    public static final long CAP_MAX = 1_000_000_000;
    /** The document's top-level fields; {@code effectiveFrom} belongs to the publication, read by the caller. */
    static final Set<String> TOP = Set.of("rules", "experiments", "effectiveFrom");
    static final Set<String> RULE = Set.of("id", "event", "pointType", "points", "perAmount", "when", "caps", "pendingDays");
    static final Set<String> WHEN = Set.of("attributes", "tiers", "from", "to", "variant");
    static final Set<String> CAP = Set.of("period", "maxPoints", "maxEvents");
    static final Set<String> EXPERIMENT = Set.of("id", "variants");
    static final Set<String> VARIANT = Set.of("experiment", "is");

    public sealed interface Result {
        record Parsed(RuleSet ruleSet) implements Result {
        }

        record Invalid(List<RuleSetError> errors) implements Result {
        }
    }

    private final List<RuleSetError> errors = new ArrayList<>();
    private final Set<String> pointTypes;
    private final Set<String> tiers;

    private RuleSetParser(Set<String> pointTypes, Set<String> tiers) {
        this.pointTypes = pointTypes;
        this.tiers = tiers;
    }

    /**
     * {@code tiers}: the tier names {@code when.tiers} may use; null: not checked (a stored
     * version, validated when it was published, read back after the tier sets moved on).
     */
    public static Result parse(Object document, Set<String> pointTypes, Set<String> tiers) {
        return new RuleSetParser(pointTypes, tiers).document(document);
    }

    private Result document(Object document) {
        if (!(document instanceof Map<?, ?> top)) {
            error("", "the rule set must be a JSON object");
            return new Result.Invalid(errors);
        }
        unknownFields(top, TOP, "");
        List<Experiment> experiments = new ArrayList<>();
        Object xs = top.get("experiments");
        if (xs != null) {
            List<?> list = list(xs, "experiments", EXPERIMENTS_MAX);
            Set<String> ids = new HashSet<>();
            for (int i = 0; list != null && i < list.size(); i++) {
                Experiment x = experiment(list.get(i), "experiments[" + i + "]");
                if (list.get(i) instanceof Map<?, ?> raw && raw.get("id") instanceof String id && !ids.add(id)) {
                    error("experiments[" + i + "].id", "duplicate experiment id");
                } else if (x != null) {
                    experiments.add(x);
                }
            }
        }
        Map<String, Experiment> byId = new LinkedHashMap<>();
        experiments.forEach(x -> byId.put(x.id(), x));
        List<Rule> rules = new ArrayList<>();
        Object rs = top.get("rules");
        if (rs == null) {
            error("rules", "rules is required (an empty list for none)");
        } else {
            List<?> list = list(rs, "rules", RULES_MAX);
            Set<String> ids = new HashSet<>();
            for (int i = 0; list != null && i < list.size(); i++) {
                String path = "rules[" + i + "]";
                Rule r = rule(list.get(i), path, byId);
                // Duplicates are reported even when the rule has other errors.
                if (list.get(i) instanceof Map<?, ?> raw && raw.get("id") instanceof String id && !ids.add(id)) {
                    error(path + ".id", "duplicate rule id");
                } else if (r != null) {
                    rules.add(r);
                }
            }
        }
        return errors.isEmpty() ? new Result.Parsed(new RuleSet(rules, experiments)) : new Result.Invalid(List.copyOf(errors));
    }

    private Experiment experiment(Object o, String path) {
        if (!(o instanceof Map<?, ?> m)) {
            error(path, "an experiment must be an object");
            return null;
        }
        int before = errors.size();
        unknownFields(m, EXPERIMENT, path);
        String id = id(m.get("id"), path + ".id");
        Map<String, Integer> variants = new LinkedHashMap<>();
        Object vs = m.get("variants");
        if (!(vs instanceof Map<?, ?> vm) || vm.isEmpty()) {
            error(path + ".variants", "variants is required: an object of variant name to weight (summing to 100)");
        } else if (vm.size() > VARIANTS_MAX) {
            error(path + ".variants", "at most " + VARIANTS_MAX + " variants");
        } else {
            long sum = 0;
            for (Map.Entry<?, ?> v : vm.entrySet()) {
                String vp = path + ".variants." + v.getKey();
                String name = String.valueOf(v.getKey());
                if (!ID.matcher(name).matches()) {
                    error(vp, "variant names must match " + ID.pattern());
                }
                Long w = integer(v.getValue(), vp, 0, 100);
                if (w != null) {
                    sum += w;
                    variants.put(name, w.intValue());
                }
            }
            if (sum != 100 && variants.size() == vm.size()) {
                error(path + ".variants", "weights must sum to 100");
            }
        }
        return errors.size() == before ? new Experiment(id, variants) : null;
    }

    private Rule rule(Object o, String path, Map<String, Experiment> experiments) {
        if (!(o instanceof Map<?, ?> m)) {
            error(path, "a rule must be an object");
            return null;
        }
        int before = errors.size();
        unknownFields(m, RULE, path);
        String id = id(m.get("id"), path + ".id");
        String event = string(m.get("event"), path + ".event");
        if (event != null && (!RulesEngine.EVENT_NAME.matcher(event).matches() || RulesEngine.RETURN_EVENT.equals(event))) {
            error(path + ".event", "event must match [a-z][a-z0-9_]{0,39} and not be the reserved 'return'");
        }
        String pointType = string(m.get("pointType"), path + ".pointType");
        if (pointType != null && !pointTypes.contains(pointType)) {
            error(path + ".pointType", "unknown point type (known: " + String.join(", ", new java.util.TreeSet<>(pointTypes)) + ")");
        }
        Long points = required(m, "points", path, 1, POINTS_MAX);
        Long perAmount = m.containsKey("perAmount") ? integer(m.get("perAmount"), path + ".perAmount", 1, PER_AMOUNT_MAX) : null;
        Long pendingDays = m.containsKey("pendingDays")
                ? integer(m.get("pendingDays"), path + ".pendingDays", Rule.PENDING_DAYS_MIN, Rule.PENDING_DAYS_MAX) : null;
        Condition when = m.containsKey("when") ? when(m.get("when"), path + ".when", experiments) : null;
        List<Cap> caps = new ArrayList<>();
        if (m.containsKey("caps")) {
            List<?> list = list(m.get("caps"), path + ".caps", CAPS_MAX);
            for (int i = 0; list != null && i < list.size(); i++) {
                Cap c = cap(list.get(i), path + ".caps[" + i + "]");
                if (c != null) {
                    caps.add(c);
                }
            }
        }
        return errors.size() == before ? new Rule(id, event, pointType, points, perAmount, when, caps,
                pendingDays == null ? null : pendingDays.intValue()) : null;
    }

    private Condition when(Object o, String path, Map<String, Experiment> experiments) {
        if (!(o instanceof Map<?, ?> m)) {
            error(path, "when must be an object");
            return null;
        }
        unknownFields(m, WHEN, path);
        Map<String, List<String>> attributes = null;
        if (m.containsKey("attributes")) {
            if (!(m.get("attributes") instanceof Map<?, ?> am) || am.isEmpty() || am.size() > RulesEngine.ATTRIBUTES_MAX) {
                error(path + ".attributes", "attributes must be an object of 1.." + RulesEngine.ATTRIBUTES_MAX
                        + " attribute names to lists of values");
            } else {
                attributes = new LinkedHashMap<>();
                for (Map.Entry<?, ?> a : am.entrySet()) {
                    String ap = path + ".attributes." + a.getKey();
                    if (!RulesEngine.ATTRIBUTE_NAME.matcher(String.valueOf(a.getKey())).matches()) {
                        error(ap, "attribute names must match " + RulesEngine.ATTRIBUTE_NAME.pattern());
                    }
                    List<String> values = strings(a.getValue(), ap, ATTRIBUTE_VALUES_MAX);
                    if (values != null) {
                        for (int i = 0; i < values.size(); i++) {
                            if (values.get(i).length() > RulesEngine.ATTRIBUTE_VALUE_MAX_LENGTH) {
                                error(ap + "[" + i + "]", "at most " + RulesEngine.ATTRIBUTE_VALUE_MAX_LENGTH + " characters");
                            }
                        }
                        attributes.put(String.valueOf(a.getKey()), values);
                    }
                }
            }
        }
        List<String> tierList = null;
        if (m.containsKey("tiers")) {
            tierList = strings(m.get("tiers"), path + ".tiers", 50);
            for (int i = 0; tierList != null && i < tierList.size(); i++) {
                if (tiers != null && !tiers.contains(tierList.get(i))) {
                    error(path + ".tiers[" + i + "]", "unknown tier (known: " + String.join(", ", new java.util.TreeSet<>(tiers)) + ")");
                }
            }
        }
        Instant from = m.containsKey("from") ? instant(m.get("from"), path + ".from") : null;
        Instant to = m.containsKey("to") ? instant(m.get("to"), path + ".to") : null;
        if (from != null && to != null && !from.isBefore(to)) {
            error(path + ".to", "to must be after from");
        }
        Condition.VariantCondition variant = null;
        if (m.containsKey("variant")) {
            String vp = path + ".variant";
            if (!(m.get("variant") instanceof Map<?, ?> vm)) {
                error(vp, "variant must be an object {experiment, is}");
            } else {
                unknownFields(vm, VARIANT, vp);
                String experiment = string(vm.get("experiment"), vp + ".experiment");
                String is = string(vm.get("is"), vp + ".is");
                Experiment x = experiment == null ? null : experiments.get(experiment);
                if (experiment != null && x == null) {
                    error(vp + ".experiment", "unknown experiment (not in experiments)");
                } else if (x != null && is != null && !x.variants().containsKey(is)) {
                    error(vp + ".is", "not a variant of experiment " + experiment);
                }
                variant = new Condition.VariantCondition(experiment, is);
            }
        }
        return new Condition(attributes, tierList, from, to, variant);
    }

    private Cap cap(Object o, String path) {
        if (!(o instanceof Map<?, ?> m)) {
            error(path, "a cap must be an object");
            return null;
        }
        int before = errors.size();
        unknownFields(m, CAP, path);
        CapPeriod period = null;
        Object p = m.get("period");
        if (!(p instanceof String s)) {
            error(path + ".period", "period is required: DAY, WEEK or MONTH");
        } else {
            try {
                period = CapPeriod.valueOf(s);
            } catch (IllegalArgumentException e) {
                error(path + ".period", "period must be DAY, WEEK or MONTH");
            }
        }
        Long maxPoints = m.containsKey("maxPoints") ? integer(m.get("maxPoints"), path + ".maxPoints", 1, CAP_MAX) : null;
        Long maxEvents = m.containsKey("maxEvents") ? integer(m.get("maxEvents"), path + ".maxEvents", 1, CAP_MAX) : null;
        if (m.containsKey("maxPoints") == m.containsKey("maxEvents")) {
            error(path, "a cap has exactly one of maxPoints and maxEvents");
        }
        return errors.size() == before ? new Cap(period, maxPoints, maxEvents) : null;
    }

    // ---- fields

    private void unknownFields(Map<?, ?> m, Set<String> allowed, String path) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                error(path.isEmpty() ? String.valueOf(k) : path + "." + k, "unknown field");
            }
        }
    }

    private String id(Object o, String path) {
        String s = string(o, path);
        if (s != null && !ID.matcher(s).matches()) {
            error(path, "ids must match " + ID.pattern());
        }
        return s;
    }

    private String string(Object o, String path) {
        if (o == null) {
            error(path, "required");
            return null;
        }
        if (!(o instanceof String s) || s.isEmpty()) {
            error(path, "must be a non-empty string");
            return null;
        }
        return s;
    }

    private Long required(Map<?, ?> m, String field, String path, long min, long max) {
        if (!m.containsKey(field)) {
            error(path + "." + field, "required");
            return null;
        }
        return integer(m.get(field), path + "." + field, min, max);
    }

    private Long integer(Object o, String path, long min, long max) {
        return dev.loyalty.core.WholeNumbers.within(o, min, max, path, this::error);
    }

    private List<?> list(Object o, String path, int max) {
        if (!(o instanceof List<?> l)) {
            error(path, "must be a list");
            return null;
        }
        if (l.size() > max) {
            error(path, "at most " + max + " items");
            return null;
        }
        return l;
    }

    private List<String> strings(Object o, String path, int max) {
        List<?> l = list(o, path, max);
        if (l == null) {
            return null;
        }
        if (l.isEmpty()) {
            error(path, "must not be empty");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) {
                error(path + "[" + i + "]", "must be a string");
                return null;
            }
            out.add(s);
        }
        return out;
    }

    private Instant instant(Object o, String path) {
        if (!(o instanceof String s)) {
            error(path, "must be an ISO-8601 instant");
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            error(path, "must be an ISO-8601 instant");
            return null;
        }
    }

    private void error(String path, String message) {
        errors.add(new RuleSetError(path, message));
    }
}
