package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.functions.http.ApiError;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAPI document and the served routes are the same set, both ways; so are the error codes. */
class OpenApiDocumentTest {

    static JsonNode document() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream("openapi/loyalty-api.json")) {
            return Lambda.JSON.readTree(in);
        }
    }

    @Test
    void everyServedRouteIsDocumentedAndNothingElse() throws Exception {
        JsonNode doc = document();
        assertEquals("3.1.0", doc.get("openapi").asText());
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(
                method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + p.getKey())));
        Set<String> served = ApiRoutes.SERVED.stream().map(ApiRoute::routeKey).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(served, documented);
    }

    @Test
    void everyWriteDocumentsItsIdempotencyKeyAndEveryErrorCodeIsListed() throws Exception {
        JsonNode doc = document();
        doc.get("paths").fields().forEachRemaining(p -> {
            JsonNode post = p.getValue().get("post");
            // Every POST, and the program's PUTs (publishing a version is a write with an event).
            JsonNode write = post != null ? post : p.getKey().startsWith("/program/") ? p.getValue().get("put") : null;
            if (write != null) {
                boolean hasKey = false;
                for (JsonNode param : write.path("parameters")) {
                    hasKey |= param.get("name").asText().equals("Idempotency-Key") && param.get("required").asBoolean();
                }
                assertTrue(hasKey, p.getKey() + " documents a required Idempotency-Key");
            }
        });
        Set<String> documented = new TreeSet<>();
        doc.at("/components/schemas/Problem/properties/code/enum").forEach(c -> documented.add(c.asText()));
        Set<String> codes = Arrays.stream(ApiError.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(codes, documented);
    }
}
