package dev.loyalty.functions.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.functions.config.LoyaltyConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Reads what every route needs from an event: body limits, JSON, path parameters, the Idempotency-Key. */
@ApplicationScoped
public class Requests {
    /** The contract: 1 to 255 printable ASCII characters. */
    public static final int IDEMPOTENCY_KEY_MAX_LENGTH = 255;

    private final ObjectMapper json;
    private final int maxBodyBytes;

    public Requests(ObjectMapper json, LoyaltyConfig config) {
        this.json = json;
        this.maxBodyBytes = config.http().maxBodyBytes();
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The raw body as UTF-8 text, after the size limit; empty string when absent. */
    public String rawBody(HttpApiEvent event) {
        String body = event.body();
        if (body == null) {
            return "";
        }
        byte[] bytes = event.isBase64Encoded()
                ? decodeBase64(body)
                : body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBodyBytes) {
            throw new ApiException(ApiError.PAYLOAD_TOO_LARGE,
                    "body is " + bytes.length + " bytes; the limit is " + maxBodyBytes,
                    Map.of("maxBodyBytes", maxBodyBytes));
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] decodeBase64(String body) {
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.VALIDATION_FAILED, "body is not valid base64");
        }
    }

    /** A JSON object body; an empty body reads as {} when {@code emptyAllowed}. */
    public JsonBody jsonObject(HttpApiEvent event, boolean emptyAllowed) {
        return jsonObject(rawBody(event), emptyAllowed);
    }

    /** A JSON object from an already size-checked raw body. */
    public JsonBody jsonObject(String raw, boolean emptyAllowed) {
        if (raw.isBlank()) {
            if (emptyAllowed) {
                return new JsonBody(json.createObjectNode());
            }
            throw new ApiException(ApiError.VALIDATION_FAILED, "a JSON object body is required");
        }
        JsonNode node;
        try {
            // A repeated key is ambiguous (one parser takes the first, another the last): refused.
            node = json.reader().with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ApiException(ApiError.VALIDATION_FAILED, "malformed JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new ApiException(ApiError.VALIDATION_FAILED, "the body must be a JSON object");
        }
        return new JsonBody(obj);
    }

    /** An optional ISO-8601 instant query parameter; a malformed one is VALIDATION_FAILED. */
    public static java.time.Instant instantQuery(HttpApiEvent event, String name) {
        String v = event.query(name);
        try {
            return v == null ? null : java.time.Instant.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.validation(name, "must be an ISO-8601 instant such as 2026-11-22T10:15:30Z");
        }
    }

    /** The Idempotency-Key of a write: required, 1 to 255 printable ASCII characters. */
    public String idempotencyKey(HttpApiEvent event) {
        String key = event.header("Idempotency-Key");
        if (key == null || key.isEmpty()) {
            throw new ApiException(ApiError.IDEMPOTENCY_KEY_MISSING,
                    "every write (POST, and PUT /program/*) needs an Idempotency-Key header (1 to 255 printable ASCII characters)");
        }
        // Printable ASCII only (no TAB or other control characters). A space is printable, but
        // HTTP trims leading and trailing whitespace from header values on some hops and not on
        // others, so a key that starts or ends with one could name two keys: refused, both ends alike.
        if (key.length() > IDEMPOTENCY_KEY_MAX_LENGTH || !key.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)
                || key.charAt(0) == ' ' || key.charAt(key.length() - 1) == ' ') {
            throw ApiException.validation("Idempotency-Key",
                    "must be 1 to 255 printable ASCII characters, not starting or ending with a space");
        }
        return key;
    }
}
