package dev.loyalty.core;

/**
 * A member's identifier as issued by the program: 1..64 characters of {@code [A-Za-z0-9_.:-]},
 * except {@code .} and {@code ..}, and except {@link #PROGRAM}'s value, which no member may have.
 * The alphabet is narrow so an id is safe in URLs, log lines and storage keys without escaping.
 */
public record MemberId(String value) {

    public static final int MAX_LENGTH = 64;

    /**
     * The reserved key of program-wide domain events ({@code program.rules.published},
     * {@code program.tiers.published}): the outbox keys every event by member id, and these
     * belong to no member, so they form their own ordered stream under this id. A leading
     * underscore and a word no issuer hands out; {@link #isValid} refuses it for members.
     */
    public static final String PROGRAM_STREAM = "_program";
    public static final MemberId PROGRAM = new MemberId(PROGRAM_STREAM);

    public MemberId {
        if (!isValid(value) && !PROGRAM_STREAM.equals(value)) {
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
        if (raw.equals(PROGRAM_STREAM)) {
            return false; // the program's own event stream, never a member
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
