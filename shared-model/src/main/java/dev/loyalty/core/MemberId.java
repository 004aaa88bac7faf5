package dev.loyalty.core;

/**
 * A member's identifier as issued by the program: 1..64 characters of {@code [A-Za-z0-9_.:-]},
 * except {@code .} and {@code ..}.
 * The alphabet is narrow so an id is safe in URLs, log lines and storage keys without escaping.
 */
public record MemberId(String value) {

    public static final int MAX_LENGTH = 64;

    public MemberId {
        if (!isValid(value)) {
            // The raw value is left out: it failed validation, so it may be huge or hostile.
            throw new IllegalArgumentException("member id must be 1.." + MAX_LENGTH
                    + " characters of [A-Za-z0-9_.:-]");
        }
    }

    /** Null-safe check, for parsing untrusted input before constructing. */
    public static boolean isValid(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH) {
            return false;
        }
        // "." and ".." are path traversal segments: proxies and clients rewrite them in a URL.
        if (raw.equals(".") || raw.equals("..")) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (!isAllowed(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllowed(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == ':' || c == '-';
    }

    @Override
    public String toString() {
        return value;
    }
}
