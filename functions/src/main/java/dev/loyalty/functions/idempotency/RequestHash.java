package dev.loyalty.functions.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of the canonical request: method, concrete path and the body. A JSON body is
 * canonicalised (keys sorted, whitespace dropped), so a client that re-serialises the same
 * request on retry is not told it reused its key; anything else is hashed as sent.
 */
public final class RequestHash {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private RequestHash() {
    }

    public static String of(String method, String path, String body) {
        String canonical = canonicalBody(body);
        return sha256(method + " " + path + "\n" + canonical);
    }

    static String canonicalBody(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode tree = CANONICAL.readTree(body);
            Object plain = CANONICAL.treeToValue(tree, Object.class);
            return CANONICAL.writeValueAsString(plain);
        } catch (java.io.IOException e) {
            return body;
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
