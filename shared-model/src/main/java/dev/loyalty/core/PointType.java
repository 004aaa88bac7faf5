package dev.loyalty.core;

import java.util.Objects;

/**
 * A kind of point (PURCHASE, SIGN_IN, ...) and how long it lasts. Codes are 1..32 of
 * {@code [A-Z0-9_]}: they are stored on every lot and entry and appear in the API.
 */
public record PointType(String code, ExpiryPolicy policy) {

    public static final int CODE_MAX_LENGTH = 32;

    public PointType {
        if (!isValidCode(code)) {
            throw new IllegalArgumentException("point type code must be 1.." + CODE_MAX_LENGTH
                    + " characters of [A-Z0-9_]");
        }
        Objects.requireNonNull(policy, "policy");
    }

    /** Null-safe. */
    public static boolean isValidCode(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > CODE_MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
