package dev.loyalty.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.infra.HclModule.Decl;
import dev.loyalty.infra.ProviderSchema.Attr;
import dev.loyalty.infra.ProviderSchema.Block;
import dev.loyalty.infra.ProviderSchema.Nested;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code terraform validate} would say about a module, without terraform: every resource,
 * data and provider block is held to the provider's schema ({@link ProviderSchema}), at every
 * depth and through dynamic blocks, and every reference must resolve.
 *
 * <p>Checks: unknown resource/data/provider types; unknown arguments and blocks; missing
 * required arguments and blocks; more than one of a block that allows one; the types of literal
 * values (and of {@code var.x}/{@code local.x} given directly, from the variable's declared type
 * or the local's literal value); references to resources, data sources, variables, locals,
 * {@code each}/{@code count} outside a for_each/count block, dynamic iterators, instance keys
 * that a literal for_each map or count does not have, and attributes the type does not have;
 * duplicate declarations; meta-arguments (count with for_each, lifecycle's arguments,
 * ignore_changes naming arguments that exist, provider aliases); required_providers naming
 * every provider used.
 *
 * <p>Not checked (only a real provider can): conflicting or "exactly one of" arguments, value
 * ranges and enums, list lengths other than "at most one", the types of computed expressions.
 */
final class TerraformValidator {

    enum Check {
        UNKNOWN_TYPE, UNKNOWN_ARGUMENT, UNKNOWN_BLOCK, MISSING_ARGUMENT, MISSING_BLOCK, TOO_MANY_BLOCKS,
        WRONG_TYPE, UNRESOLVED_REFERENCE, DUPLICATE, INVALID_META
    }

    record Finding(Check check, String file, String where, String message) {
        @Override
        public String toString() {
            return check + " " + where + " (" + file + "): " + message;
        }
    }

    /** What was looked at, to print and to show the checks were not vacuous. */
    static final class Stats {
        int resources;
        int data;
        int providers;
        int nestedBlocks;
        int dynamicBlocks;
        int arguments;
        int literalsTypeChecked;
        int references;

        @Override
        public String toString() {
            return resources + " resource blocks, " + data + " data blocks, " + providers + " provider blocks, "
                    + nestedBlocks + " nested blocks (" + dynamicBlocks + " dynamic), " + arguments + " arguments ("
                    + literalsTypeChecked + " type-checked values), " + references + " references resolved";
        }
    }

    record Result(List<Finding> findings, Stats stats) { }

    private static final Set<String> RESOURCE_META = Set.of("count", "for_each", "depends_on", "provider", "lifecycle",
            "provisioner", "connection");
    private static final Set<String> DATA_META = Set.of("count", "for_each", "depends_on", "provider", "lifecycle");
    private static final Set<String> LIFECYCLE = Set.of("create_before_destroy", "prevent_destroy", "ignore_changes",
            "replace_triggered_by", "precondition", "postcondition");
    private static final Set<String> TOP_LEVEL = Set.of("terraform", "provider", "variable", "locals", "output",
            "resource", "data", "module", "moved", "import", "check", "removed");
    private static final Set<String> VARIABLE_KEYS = Set.of("type", "default", "description", "validation", "sensitive",
            "nullable", "ephemeral");
    private static final Set<String> OUTPUT_KEYS = Set.of("value", "description", "sensitive", "depends_on",
            "precondition", "ephemeral");
    private static final Pattern VAR_OR_LOCAL = Pattern.compile("^\\s*(var|local)\\.([A-Za-z_][A-Za-z0-9_-]*)\\s*$");

    private final HclModule module;
    private final ProviderSchema schema;
    private final List<Finding> findings = new ArrayList<>();
    private final Stats stats = new Stats();
    private final Map<String, Decl> resources = new LinkedHashMap<>();
    private final Map<String, Decl> data = new LinkedHashMap<>();
    private final Map<String, Decl> variables = new LinkedHashMap<>();
    private final Map<String, Map.Entry<String, JsonNode>> locals;
    private final Set<String> modules = new HashSet<>();
    private final Set<String> providerAliases = new HashSet<>();
    private String file = "";

    private TerraformValidator(HclModule module, ProviderSchema schema) {
        this.module = module;
        this.schema = schema;
        this.locals = module.locals();
    }

    static Result validate(HclModule module, ProviderSchema schema) {
        TerraformValidator v = new TerraformValidator(module, schema);
        v.run();
        return new Result(List.copyOf(v.findings), v.stats);
    }

    /** The scope an expression is evaluated in. */
    private record Scope(boolean each, boolean count, Set<String> iterators, boolean self) {
        static final Scope MODULE = new Scope(false, false, Set.of(), false);

        Scope withIterator(String name) {
            Set<String> it = new HashSet<>(iterators);
            it.add(name);
            return new Scope(each, count, it, self);
        }
    }

    private void run() {
        module.files.forEach((f, doc) -> doc.fieldNames().forEachRemaining(k -> {
            if (!TOP_LEVEL.contains(k)) {
                add(Check.UNKNOWN_BLOCK, f, k, "not a Terraform top-level block");
            }
        }));
        declare();
        for (Decl p : module.named("provider")) {
            checkProvider(p);
        }
        for (Decl d : module.typed("resource")) {
            checkTyped(d, RESOURCE_META);
        }
        for (Decl d : module.typed("data")) {
            checkTyped(d, DATA_META);
        }
        for (Decl v : module.named("variable")) {
            checkVariable(v);
        }
        locals.forEach((name, e) -> {
            file = e.getKey();
            refs(e.getValue(), Scope.MODULE, "local." + name);
        });
        for (Decl o : module.named("output")) {
            file = o.file();
            keys(o.body(), OUTPUT_KEYS, "output." + o.name());
            if (!o.body().has("value")) {
                add(Check.MISSING_ARGUMENT, "output." + o.name(), "an output needs a value");
            }
            refs(o.body(), Scope.MODULE, "output." + o.name());
        }
        checkRequiredProviders();
    }

    private void declare() {
        for (Decl d : module.typed("resource")) {
            if (resources.putIfAbsent(d.type() + "." + d.name(), d) != null) {
                file = d.file();
                add(Check.DUPLICATE, d.address(), "declared twice");
            }
        }
        for (Decl d : module.typed("data")) {
            if (data.putIfAbsent(d.type() + "." + d.name(), d) != null) {
                file = d.file();
                add(Check.DUPLICATE, d.address(), "declared twice");
            }
        }
        for (Decl d : module.named("variable")) {
            if (variables.putIfAbsent(d.name(), d) != null) {
                file = d.file();
                add(Check.DUPLICATE, d.address(), "declared twice");
            }
        }
        Set<String> seenLocals = new HashSet<>();
        for (Map.Entry<String, JsonNode> block : module.unlabelled("locals")) {
            block.getValue().fieldNames().forEachRemaining(n -> {
                if (!seenLocals.add(n)) {
                    file = block.getKey();
                    add(Check.DUPLICATE, "local." + n, "declared twice");
                }
            });
        }
        Set<String> outputs = new HashSet<>();
        for (Decl d : module.named("output")) {
            if (!outputs.add(d.name())) {
                file = d.file();
                add(Check.DUPLICATE, d.address(), "declared twice");
            }
        }
        module.named("module").forEach(m -> modules.add(m.name()));
        for (Decl p : module.named("provider")) {
            JsonNode alias = p.body().get("alias");
            String key = p.name() + (alias == null ? "" : "." + alias.asText());
            if (!providerAliases.add(key)) {
                file = p.file();
                add(Check.DUPLICATE, "provider." + key, "configured twice");
            }
        }
    }

    private void checkProvider(Decl p) {
        file = p.file();
        stats.providers++;
        Block s = schema.provider(p.name());
        String where = "provider." + p.name();
        if (s == null) {
            add(Check.UNKNOWN_TYPE, where, "no schema for provider '" + p.name() + "' (known: " + schema.providerNames() + ")");
            return;
        }
        ObjectBody body = ObjectBody.of(p.body(), Set.of("alias", "version"));
        block(s, body, where, Scope.MODULE);
    }

    private void checkTyped(Decl d, Set<String> meta) {
        file = d.file();
        boolean resource = d.kind().equals("resource");
        if (resource) {
            stats.resources++;
        } else {
            stats.data++;
        }
        String where = d.address();
        Block s = schema.type(d.kind(), d.type());
        if (s == null) {
            String known = schema.providerNames().contains(ProviderSchema.providerOf(d.type()))
                    ? closest(d.type(), schema.typeNames(d.kind()))
                    : "no schema for provider '" + ProviderSchema.providerOf(d.type()) + "'";
            add(Check.UNKNOWN_TYPE, where, "no " + (resource ? "resource" : "data source") + " type " + d.type() + known);
            return;
        }
        JsonNode body = d.body();
        boolean each = body.has("for_each");
        boolean count = body.has("count");
        if (each && count) {
            add(Check.INVALID_META, where, "count and for_each cannot both be set");
        }
        Scope scope = new Scope(each, count, Set.of(), false);
        for (String m : meta) {
            JsonNode v = body.get(m);
            if (v == null) {
                continue;
            }
            switch (m) {
                case "count", "for_each" -> refs(v, Scope.MODULE, where + "." + m);
                case "depends_on" -> {
                    if (!v.isArray()) {
                        add(Check.WRONG_TYPE, where + ".depends_on", "depends_on is a list of references");
                    } else {
                        refs(v, Scope.MODULE, where + ".depends_on");
                    }
                }
                case "provider" -> {
                    String expr = HclModule.wholeExpression(v.asText());
                    String name = expr == null ? v.asText() : expr.trim();
                    if (!name.equals(ProviderSchema.providerOf(d.type())) && !providerAliases.contains(name)) {
                        add(Check.UNRESOLVED_REFERENCE, where + ".provider", "no provider configuration " + name);
                    }
                }
                case "lifecycle" -> lifecycle(s, v, where, scope);
                default -> { } // provisioner, connection: run on a real machine only
            }
        }
        block(s, ObjectBody.of(body, meta), where, new Scope(each, count, Set.of(), false));
    }

    private void lifecycle(Block s, JsonNode v, String where, Scope scope) {
        if (!v.isArray() || v.size() != 1) {
            add(Check.TOO_MANY_BLOCKS, where + ".lifecycle", "one lifecycle block at most");
        }
        for (JsonNode l : v) {
            keys(l, LIFECYCLE, where + ".lifecycle");
            JsonNode ignore = l.get("ignore_changes");
            if (ignore != null && ignore.isArray()) {
                for (JsonNode i : ignore) {
                    String name = i.asText();
                    String expr = HclModule.wholeExpression(name);
                    name = (expr == null ? name : expr).trim().split("[.\\[]")[0];
                    if (!name.equals("all") && !s.attrs().containsKey(name) && !s.blocks().containsKey(name)) {
                        add(Check.UNKNOWN_ARGUMENT, where + ".lifecycle.ignore_changes", "no argument " + name);
                    }
                }
            }
            for (String cond : List.of("precondition", "postcondition")) {
                if (l.has(cond)) {
                    refs(l.get(cond), new Scope(scope.each(), scope.count(), scope.iterators(), true), where + ".lifecycle." + cond);
                }
            }
            if (l.has("replace_triggered_by")) {
                refs(l.get("replace_triggered_by"), scope, where + ".lifecycle.replace_triggered_by");
            }
        }
    }

    /** A block body minus the keys the caller handles itself (meta-arguments). */
    private record ObjectBody(JsonNode node, Set<String> skip) {
        static ObjectBody of(JsonNode node, Set<String> skip) {
            return new ObjectBody(node, skip);
        }
    }

    private void block(Block s, ObjectBody body, String where, Scope scope) {
        JsonNode node = body.node();
        Map<String, Integer> dynamicCount = new HashMap<>();
        JsonNode dynamic = node.get("dynamic");
        if (dynamic != null && !s.blocks().containsKey("dynamic")) {
            dynamic.fields().forEachRemaining(e -> {
                for (JsonNode dyn : e.getValue()) {
                    dynamicCount.merge(e.getKey(), 1, Integer::sum);
                    dynamicBlock(s, e.getKey(), dyn, where + ".dynamic." + e.getKey(), scope);
                }
            });
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = f.getKey();
            JsonNode value = f.getValue();
            if (body.skip().contains(name) || (name.equals("dynamic") && !s.blocks().containsKey("dynamic"))) {
                continue;
            }
            String at = where + "." + name;
            Attr attr = s.attrs().get(name);
            Nested nested = s.blocks().get(name);
            if (attr != null) {
                stats.arguments++;
                type(TfType.parse(attr.type()), value, at, name, 0);
                refs(value, scope, at);
            } else if (nested != null) {
                if (value.isArray() && value.size() > 0 && allObjects(value)) {
                    int n = value.size() + dynamicCount.getOrDefault(name, 0);
                    if (nested.max() > 0 && n > nested.max()) {
                        add(Check.TOO_MANY_BLOCKS, at, n + " " + name + " blocks; at most " + nested.max() + " allowed");
                    }
                    int i = 0;
                    for (JsonNode b : value) {
                        stats.nestedBlocks++;
                        block(nested.schema(), ObjectBody.of(b, Set.of()), at + "[" + i++ + "]", scope);
                    }
                } else if (nested.attributeSyntaxAllowed()) {
                    stats.arguments++;
                    refs(value, scope, at);
                } else {
                    add(Check.UNKNOWN_ARGUMENT, at, "'" + name + "' is a block: write " + name + " { ... }, not " + name + " = ...");
                    refs(value, scope, at);
                }
            } else {
                boolean looksLikeBlock = value.isArray() && value.size() > 0 && allObjects(value);
                add(looksLikeBlock ? Check.UNKNOWN_BLOCK : Check.UNKNOWN_ARGUMENT, at,
                        "no " + (looksLikeBlock ? "block type" : "argument") + " '" + name + "' here"
                                + closest(name, names(s)));
            }
        }
        s.attrs().forEach((name, a) -> {
            if (a.required() && !node.has(name)) {
                add(Check.MISSING_ARGUMENT, where + "." + name, "required argument '" + name + "' is not set");
            }
        });
        s.blocks().forEach((name, b) -> {
            if (b.min() > 0 && !node.has(name) && !dynamicCount.containsKey(name)) {
                add(Check.MISSING_BLOCK, where + "." + name, "required block '" + name + "' is missing");
            }
            if (b.max() == 1 && dynamicCount.getOrDefault(name, 0) > 1) {
                add(Check.TOO_MANY_BLOCKS, where + ".dynamic." + name, "at most one " + name + " block allowed");
            }
        });
    }

    private void dynamicBlock(Block parent, String name, JsonNode dyn, String where, Scope scope) {
        stats.dynamicBlocks++;
        stats.nestedBlocks++;
        Nested nested = parent.blocks().get(name);
        if (nested == null) {
            add(Check.UNKNOWN_BLOCK, where, "dynamic \"" + name + "\": no block type '" + name + "' here"
                    + closest(name, names(parent)));
        }
        keys(dyn, Set.of("for_each", "iterator", "labels", "content"), where);
        if (!dyn.has("for_each")) {
            add(Check.MISSING_ARGUMENT, where + ".for_each", "a dynamic block needs for_each");
        } else {
            refs(dyn.get("for_each"), scope, where + ".for_each");
        }
        String iterator = name;
        if (dyn.has("iterator")) {
            String expr = HclModule.wholeExpression(dyn.get("iterator").asText());
            iterator = (expr == null ? dyn.get("iterator").asText() : expr).trim();
        }
        JsonNode content = dyn.get("content");
        if (content == null || !content.isArray() || content.isEmpty()) {
            add(Check.MISSING_BLOCK, where + ".content", "a dynamic block needs one content block");
            return;
        }
        if (content.size() > 1) {
            add(Check.TOO_MANY_BLOCKS, where + ".content", "a dynamic block has exactly one content block");
        }
        if (nested != null) {
            block(nested.schema(), ObjectBody.of(content.get(0), Set.of()), where + ".content", scope.withIterator(iterator));
        }
    }

    private void checkVariable(Decl v) {
        file = v.file();
        String where = "var." + v.name();
        keys(v.body(), VARIABLE_KEYS, where);
        TfType t = variableType(v);
        if (v.body().has("default") && t != null) {
            type(t, v.body().get("default"), where + ".default", "default", 0);
        }
        JsonNode validation = v.body().get("validation");
        if (validation != null) {
            for (JsonNode val : validation) {
                keys(val, Set.of("condition", "error_message"), where + ".validation");
                if (!val.has("condition")) {
                    add(Check.MISSING_ARGUMENT, where + ".validation.condition", "a validation needs a condition");
                }
                refs(val, Scope.MODULE, where + ".validation");
            }
        }
    }

    private TfType variableType(Decl v) {
        JsonNode t = v.body().get("type");
        if (t == null) {
            return null;
        }
        String expr = HclModule.wholeExpression(t.asText());
        return TfType.parse((expr == null ? t.asText() : expr).trim());
    }

    private void checkRequiredProviders() {
        Set<String> required = new HashSet<>();
        for (Map.Entry<String, JsonNode> t : module.unlabelled("terraform")) {
            JsonNode rp = t.getValue().get("required_providers");
            if (rp != null) {
                rp.forEach(b -> b.fieldNames().forEachRemaining(required::add));
            }
        }
        Set<String> used = new HashSet<>();
        module.typed("resource").forEach(d -> used.add(ProviderSchema.providerOf(d.type())));
        module.typed("data").forEach(d -> used.add(ProviderSchema.providerOf(d.type())));
        module.named("provider").forEach(p -> used.add(p.name()));
        for (String p : used) {
            if (!required.contains(p)) {
                file = "versions.tf";
                add(Check.MISSING_ARGUMENT, "terraform.required_providers." + p, "provider " + p + " is used but not in required_providers");
            }
        }
    }

    // ---- types -------------------------------------------------------------------------------

    /** A Terraform type as far as the checks need it. */
    record TfType(String kind, TfType elem) {
        static final TfType ANY = new TfType("any", null);

        static TfType parse(String s) {
            s = s.trim();
            int open = s.indexOf('(');
            if (open < 0) {
                return switch (s) {
                    case "string", "number", "bool", "object", "map", "list", "set", "tuple" -> new TfType(s, ANY);
                    default -> ANY;
                };
            }
            String kind = s.substring(0, open).trim();
            String inner = s.substring(open + 1, s.lastIndexOf(')')).trim();
            return switch (kind) {
                case "list", "set", "map" -> new TfType(kind, parse(inner));
                case "object", "tuple" -> new TfType(kind, ANY);
                case "optional" -> parse(inner.split(",")[0]);
                default -> ANY;
            };
        }

        boolean primitive() {
            return kind.equals("string") || kind.equals("number") || kind.equals("bool");
        }

        boolean sequence() {
            return kind.equals("list") || kind.equals("set") || kind.equals("tuple");
        }

        boolean mapping() {
            return kind.equals("map") || kind.equals("object");
        }

        @Override
        public String toString() {
            return elem == null || elem == ANY || kind.equals("object") || kind.equals("tuple") ? kind : kind + "(" + elem + ")";
        }
    }

    private void type(TfType t, JsonNode v, String at, String name, int depth) {
        if (t.kind().equals("any") || v == null || v.isNull() || depth > 8) {
            return;
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (HclModule.isExpression(s)) {
                String whole = HclModule.wholeExpression(s);
                if (whole == null) {
                    if (!t.primitive()) {
                        add(Check.WRONG_TYPE, at, "a string template where a " + t + " is needed");
                    }
                    return;
                }
                Matcher m = VAR_OR_LOCAL.matcher(whole);
                if (m.matches()) {
                    if (m.group(1).equals("var") && variables.containsKey(m.group(2))) {
                        TfType declared = variableType(variables.get(m.group(2)));
                        if (declared != null && !convertible(declared, t)) {
                            add(Check.WRONG_TYPE, at, "var." + m.group(2) + " is a " + declared + "; " + name + " needs a " + t);
                        }
                    } else if (m.group(1).equals("local") && locals.containsKey(m.group(2))) {
                        type(t, locals.get(m.group(2)).getValue(), at, name, depth + 1);
                    }
                }
                return;
            }
            stats.literalsTypeChecked++;
            switch (t.kind()) {
                case "string" -> { }
                case "number" -> {
                    try {
                        Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        add(Check.WRONG_TYPE, at, "\"" + s + "\" is not a number");
                    }
                }
                case "bool" -> {
                    if (!s.equals("true") && !s.equals("false")) {
                        add(Check.WRONG_TYPE, at, "\"" + s + "\" is not a bool");
                    }
                }
                default -> add(Check.WRONG_TYPE, at, "a string where a " + t + " is needed");
            }
        } else if (v.isNumber()) {
            stats.literalsTypeChecked++;
            if (!t.kind().equals("string") && !t.kind().equals("number")) {
                add(Check.WRONG_TYPE, at, "the number " + v + " where a " + t + " is needed");
            }
        } else if (v.isBoolean()) {
            stats.literalsTypeChecked++;
            if (!t.kind().equals("string") && !t.kind().equals("bool")) {
                add(Check.WRONG_TYPE, at, v + " where a " + t + " is needed");
            }
        } else if (v.isArray()) {
            stats.literalsTypeChecked++;
            if (!t.sequence()) {
                add(Check.WRONG_TYPE, at, "a list where a " + t + " is needed");
                return;
            }
            int i = 0;
            for (JsonNode e : v) {
                type(t.elem(), e, at + "[" + i++ + "]", name, depth + 1);
            }
        } else if (v.isObject()) {
            stats.literalsTypeChecked++;
            if (!t.mapping()) {
                add(Check.WRONG_TYPE, at, "an object where a " + t + " is needed");
                return;
            }
            if (t.kind().equals("map")) {
                v.fields().forEachRemaining(e -> type(t.elem(), e.getValue(), at + "." + e.getKey(), name, depth + 1));
            }
        }
    }

    /** Whether Terraform converts a value of type from to type to (primitives convert among themselves). */
    static boolean convertible(TfType from, TfType to) {
        if (from.kind().equals("any") || to.kind().equals("any")) {
            return true;
        }
        if (from.primitive() || to.primitive()) {
            return from.primitive() && to.primitive();
        }
        if (from.sequence() && to.sequence() || from.mapping() && to.mapping()) {
            return from.elem() == null || to.elem() == null || convertible(from.elem(), to.elem());
        }
        return false;
    }

    // ---- references --------------------------------------------------------------------------

    private void refs(JsonNode v, Scope scope, String at) {
        if (v == null) {
            return;
        }
        if (v.isTextual()) {
            List<List<String>> found = module.refs.get(v.asText());
            if (found != null) {
                for (List<String> r : found) {
                    stats.references++;
                    ref(r, scope, at);
                }
            }
        } else {
            v.forEach(e -> refs(e, scope, at));
        }
    }

    private void ref(List<String> p, Scope scope, String at) {
        String root = p.get(0);
        String second = p.size() > 1 ? p.get(1) : "";
        String text = String.join(".", p).replace(".[", "[");
        switch (root) {
            case "var" -> {
                if (!variables.containsKey(second)) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": no variable \"" + second + "\"" + closest(second, variables.keySet()));
                }
            }
            case "local" -> {
                if (!locals.containsKey(second)) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": no local value \"" + second + "\"" + closest(second, locals.keySet()));
                } else if (p.size() > 2 && p.get(2).startsWith("[\"") && locals.get(second).getValue().isObject()) {
                    String k = p.get(2).substring(2, p.get(2).length() - 2);
                    if (!locals.get(second).getValue().has(k)) {
                        add(Check.UNRESOLVED_REFERENCE, at, text + ": local." + second + " has no key \"" + k + "\"");
                    }
                }
            }
            case "each" -> {
                if (!scope.each() || !(second.equals("key") || second.equals("value"))) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": each.key/each.value exist only in a block with for_each");
                }
            }
            case "count" -> {
                if (!scope.count() || !second.equals("index")) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": count.index exists only in a block with count");
                }
            }
            case "path" -> {
                if (!Set.of("module", "root", "cwd").contains(second)) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": path has module, root and cwd");
                }
            }
            case "terraform" -> {
                if (!second.equals("workspace")) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": unknown");
                }
            }
            case "self" -> {
                if (!scope.self()) {
                    add(Check.UNRESOLVED_REFERENCE, at, "self is only valid in provisioners and postconditions");
                }
            }
            case "module" -> {
                if (!modules.contains(second)) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": no module \"" + second + "\"");
                }
            }
            case "data" -> {
                String key = second + "." + (p.size() > 2 ? p.get(2) : "");
                Decl d = data.get(key);
                if (d == null) {
                    add(Check.UNRESOLVED_REFERENCE, at, text + ": no data \"" + second + "\" \"" + (p.size() > 2 ? p.get(2) : "") + "\" declared");
                } else {
                    instance(d, p.subList(Math.min(3, p.size()), p.size()), text, at);
                }
            }
            default -> {
                if (scope.iterators().contains(root)) {
                    if (!(second.equals("key") || second.equals("value"))) {
                        add(Check.UNRESOLVED_REFERENCE, at, text + ": a dynamic block's iterator has key and value");
                    }
                    return;
                }
                Decl d = resources.get(root + "." + second);
                if (d == null) {
                    boolean type = schema.type("resource", root) != null;
                    add(Check.UNRESOLVED_REFERENCE, at, text + (type
                            ? ": no resource \"" + root + "\" \"" + second + "\" declared"
                            : ": \"" + root + "\" is neither a resource type nor a known name"));
                } else {
                    instance(d, p.subList(Math.min(2, p.size()), p.size()), text, at);
                }
            }
        }
    }

    /** What follows a resource or data reference's name: the instance key, then an attribute it has. */
    private void instance(Decl d, List<String> rest, String text, String at) {
        if (rest.isEmpty()) {
            return;
        }
        boolean multi = d.body().has("for_each") || d.body().has("count");
        int i = 0;
        String first = rest.get(0);
        if (first.startsWith("[")) {
            if (!multi && !first.equals("[*]")) {
                add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.address() + " has neither count nor for_each, so no instance key");
            } else if (multi) {
                instanceKey(d, first, text, at);
            }
            i = 1;
        } else if (multi) {
            add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.address() + " has " + (d.body().has("count") ? "count" : "for_each")
                    + ": pick an instance ([key] or [*])");
        }
        if (i < rest.size() && rest.get(i).equals("[*]")) {
            i++;
        }
        if (i < rest.size() && !rest.get(i).startsWith("[")) {
            Block s = schema.type(d.kind(), d.type());
            if (s != null && !s.readable(rest.get(i))) {
                add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.type() + " has no attribute \"" + rest.get(i) + "\""
                        + closest(rest.get(i), names(s)));
            }
        }
    }

    /** A literal key must be one of a literal for_each map's keys, or below a literal count. */
    private void instanceKey(Decl d, String key, String text, String at) {
        if (key.startsWith("[\"") && d.body().has("for_each")) {
            Set<String> keys = staticKeys(d.body().get("for_each"));
            String k = key.substring(2, key.length() - 2);
            if (keys != null && !keys.contains(k)) {
                add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.address() + " has no instance \"" + k + "\" (its for_each keys: " + keys + ")");
            }
        } else if (key.matches("\\[[0-9]+]") && d.body().has("count") && d.body().get("count").isNumber()) {
            int n = Integer.parseInt(key.substring(1, key.length() - 1));
            if (n >= d.body().get("count").asInt()) {
                add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.address() + " has count " + d.body().get("count").asInt());
            }
        } else if (key.startsWith("[\"") && d.body().has("count")) {
            add(Check.UNRESOLVED_REFERENCE, at, text + ": " + d.address() + " has count: its keys are numbers");
        }
    }

    private Set<String> staticKeys(JsonNode forEach) {
        JsonNode v = forEach;
        for (int depth = 0; depth < 4 && v != null && v.isTextual(); depth++) {
            String whole = HclModule.wholeExpression(v.asText());
            Matcher m = whole == null ? null : VAR_OR_LOCAL.matcher(whole);
            if (m == null || !m.matches() || !m.group(1).equals("local") || !locals.containsKey(m.group(2))) {
                return null;
            }
            v = locals.get(m.group(2)).getValue();
        }
        if (v == null || !v.isObject()) {
            return null;
        }
        Set<String> keys = new java.util.TreeSet<>();
        v.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void keys(JsonNode body, Set<String> allowed, String where) {
        body.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                add(Check.UNKNOWN_ARGUMENT, where + "." + k, "no argument '" + k + "' here" + closest(k, allowed));
            }
        });
    }

    private static boolean allObjects(JsonNode array) {
        for (JsonNode e : array) {
            if (!e.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> names(Block s) {
        Set<String> all = new HashSet<>(s.attrs().keySet());
        all.addAll(s.blocks().keySet());
        all.addAll(s.computed());
        return all;
    }

    /** "; did you mean x?" for the nearest name within a few edits, or "". */
    static String closest(String name, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = name.length() >= 4 && (c.startsWith(name) || name.startsWith(c)) ? 1 : distance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 4) ? "; did you mean " + best + "?" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private void add(Check check, String where, String message) {
        findings.add(new Finding(check, file, where, message));
    }

    private void add(Check check, String file, String where, String message) {
        findings.add(new Finding(check, file, where, message));
    }
}
