package dev.loyalty.local;

import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HS256 JWTs for the local runner, checked the way API Gateway's JWT authorizer checks its
 * tokens: signature, issuer, audience, expiry and not-before. Claims that pass are handed to
 * the functions exactly where API Gateway puts them.
 */
public final class Jwt {
    public static final String ISSUER = "loyalty-local";
    public static final String AUDIENCE = "loyalty-api";
    public static final long TTL_SECONDS = 12 * 3600;
    /** Clock skew tolerated on exp/nbf, as authorizers do. */
    public static final long LEEWAY_SECONDS = 60;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final byte[] secret;

    public Jwt(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String mint(String subject, List<String> scopes, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put("sub", subject);
        if (!scopes.isEmpty()) {
            claims.put("scope", String.join(" ", scopes));
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.getEpochSecond() + TTL_SECONDS);
        try {
            String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String payload = B64.encodeToString(JSON.writeValueAsBytes(claims));
            return header + "." + payload + "." + B64.encodeToString(sign(header + "." + payload));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims as API Gateway passes them (every value a string), or empty when the token is not valid. */
    public Optional<Map<String, String>> verify(String token, Instant now) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            Map<?, ?> header = JSON.readValue(Base64.getUrlDecoder().decode(parts[0]), Map.class);
            if (!"HS256".equals(header.get("alg"))) {
                return Optional.empty(); // never "none", never an algorithm the caller picks
            }
            byte[] expected = sign(parts[0] + "." + parts[1]);
            if (!MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]))) {
                return Optional.empty();
            }
            Map<?, ?> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
            if (!ISSUER.equals(claims.get("iss")) || !audienceMatches(claims.get("aud"))) {
                return Optional.empty();
            }
            long nowSecond = now.getEpochSecond();
            if (!(claims.get("exp") instanceof Number exp) || exp.longValue() + LEEWAY_SECONDS < nowSecond) {
                return Optional.empty();
            }
            if (claims.get("nbf") instanceof Number nbf && nbf.longValue() - LEEWAY_SECONDS > nowSecond) {
                return Optional.empty();
            }
            if (!(claims.get("sub") instanceof String sub) || sub.isBlank()) {
                return Optional.empty();
            }
            Map<String, String> out = new LinkedHashMap<>();
            claims.forEach((k, v) -> out.put(String.valueOf(k), v instanceof List<?> l
                    ? "[" + String.join(" ", l.stream().map(String::valueOf).toList()) + "]" : String.valueOf(v)));
            return Optional.of(out);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean audienceMatches(Object aud) {
        return AUDIENCE.equals(aud) || (aud instanceof List<?> l && l.contains(AUDIENCE));
    }

    private byte[] sign(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
