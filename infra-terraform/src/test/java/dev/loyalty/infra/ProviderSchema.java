package dev.loyalty.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The providers' schemas, from {@code terraform/provider-schema.json} (a test resource that
 * {@code tools/terraform-schema/extract.js} generates from the jsii assemblies of
 * {@code @cdktf/provider-aws} 20.1.0 = hashicorp/aws 5.100.0 and {@code @cdktf/provider-random}
 * 12.0.1 = hashicorp/random 3.7.2).
 */
final class ProviderSchema {
    static final String RESOURCE = "terraform/provider-schema.json";

    /** An argument: its Terraform type ({@code string}, {@code list(string)}, ...) and whether it must be set. */
    record Attr(String type, boolean required) { }

    /** A nested block: how many there must and may be (max 0: no limit), and its own schema. */
    record Nested(int min, int max, boolean attributeSyntaxAllowed, Block schema) { }

    /** A block's arguments, nested blocks and (for resources and data sources) read-only attributes. */
    record Block(Map<String, Attr> attrs, Map<String, Nested> blocks, Set<String> computed) {
        boolean readable(String name) {
            return attrs.containsKey(name) || blocks.containsKey(name) || computed.contains(name) || name.equals("id");
        }
    }

    private final JsonNode providers;
    final String generatedBy;
    private final Map<String, Block> cache = new LinkedHashMap<>();

    private ProviderSchema(JsonNode doc) {
        this.providers = doc.get("providers");
        this.generatedBy = doc.get("generated_by").asText();
    }

    static ProviderSchema load() throws IOException {
        try (InputStream in = ProviderSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("no " + RESOURCE + " on the test class path");
            }
            return new ProviderSchema(new ObjectMapper().readTree(in));
        }
    }

    Set<String> providerNames() {
        Set<String> out = new TreeSet<>();
        providers.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The provider a resource or data type belongs to: the prefix before its first underscore. */
    static String providerOf(String type) {
        int u = type.indexOf('_');
        return u < 0 ? type : type.substring(0, u);
    }

    /** kind is "resource" or "data"; null when the provider has no such type. */
    Block type(String kind, String type) {
        JsonNode p = providers.get(providerOf(type));
        if (p == null || p.get(kind).get(type) == null) {
            return null;
        }
        return cache.computeIfAbsent(kind + " " + type, k -> block(p.get(kind).get(type)));
    }

    Set<String> typeNames(String kind) {
        Set<String> out = new TreeSet<>();
        providers.forEach(p -> p.get(kind).fieldNames().forEachRemaining(out::add));
        return out;
    }

    int typeCount(String kind) {
        return typeNames(kind).size();
    }

    /** The provider block's own schema, or null for a provider not in the file. */
    Block provider(String name) {
        JsonNode p = providers.get(name);
        return p == null ? null : cache.computeIfAbsent("provider " + name, k -> block(p.get("provider")));
    }

    private static Block block(JsonNode node) {
        Map<String, Attr> attrs = new LinkedHashMap<>();
        node.get("a").fields().forEachRemaining(e -> {
            String t = e.getValue().asText();
            boolean required = t.startsWith("!");
            attrs.put(e.getKey(), new Attr(required ? t.substring(1) : t, required));
        });
        Map<String, Nested> blocks = new LinkedHashMap<>();
        node.get("b").fields().forEachRemaining(e -> {
            JsonNode b = e.getValue();
            blocks.put(e.getKey(), new Nested(b.get("min").asInt(), b.get("max").asInt(),
                    b.path("attr").asBoolean(false), block(b.get("s"))));
        });
        Set<String> computed = new TreeSet<>();
        if (node.has("c")) {
            node.get("c").forEach(c -> computed.add(c.asText()));
        }
        return new Block(Collections.unmodifiableMap(attrs), Collections.unmodifiableMap(blocks), computed);
    }
}
