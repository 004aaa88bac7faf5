package dev.loyalty.functions.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * Strict reads of a JSON object body. Points must be JSON integers (never 10.0, never "10"),
 * unknown fields are rejected so a typo cannot silently drop a field.
 */
public final class JsonBody {
    private final ObjectNode node;

    JsonBody(ObjectNode node) {
        this.node = node;
    }

    public ObjectNode node() {
        return node;
    }

    public JsonBody allowOnly(Set<String> fields) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!fields.contains(name)) {
                throw ApiException.validation(name, "unknown field");
            }
        }
        return this;
    }

    public long requiredLong(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.validation(field, "is required");
        }
        return asLong(field, v);
    }

    /**
     * Absent means "not given". An explicit {@code null} is refused: the OpenAPI document marks no
     * request field nullable, and a client sending {@code "points": null} to a capture most likely
     * meant a number, not "everything".
     */
    public Long optionalLong(String field) {
        JsonNode v = present(field);
        return v == null ? null : asLong(field, v);
    }

    private JsonNode present(String field) {
        JsonNode v = node.get(field);
        if (v != null && v.isNull()) {
            throw ApiException.validation(field, "must not be null; leave it out instead");
        }
        return v;
    }

    private static long asLong(String field, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.validation(field, "must be a whole number");
        }
        return v.longValue();
    }

    public String requiredString(String field) {
        String s = optionalString(field);
        if (s == null) {
            throw ApiException.validation(field, "is required");
        }
        return s;
    }

    public String optionalString(String field) {
        JsonNode v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.validation(field, "must be a string");
        }
        return v.textValue();
    }

    public Instant optionalInstant(String field) {
        String s = optionalString(field);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.validation(field, "must be an ISO-8601 instant such as 2026-11-22T10:15:30Z");
        }
    }
}
