package dev.loyalty.core;

/** Input limits shared by every command, so the API, the rules and storage agree. */
public final class Limits {

    /** References are idempotency/correlation keys: short, printable ASCII, no spaces. */
    public static final int REFERENCE_MAX_LENGTH = 128;
    /** Counted in UTF-16 chars, which never undercounts characters, so storage of 500 always fits. */
    public static final int DESCRIPTION_MAX_LENGTH = 500;
    /** Tolerates client clocks running a little ahead; more than this is a bug or an attempt to pre-date. */
    public static final int FUTURE_SKEW_SECONDS = 300;
    /**
     * The earliest business time a write may carry (late queue events, imports). Older is a
     * client bug (an epoch-zero default, seconds read as milliseconds); the same bound on every
     * path that takes an {@code occurredAt}, API and queue alike.
     */
    public static final java.time.Instant OCCURRED_AT_MIN = java.time.Instant.parse("2000-01-01T00:00:00Z");

    /**
     * The longest life an explicit lot expiry ({@code expiresAt} of an imported earn) may give,
     * counted from its occurredAt: 100 years. Longer is a unit mistake; a lot that should never
     * expire belongs to a never-expiring point type.
     */
    public static final long EXPIRES_AFTER_DAYS_MAX = 36_525;

    private Limits() {
    }

    /** An explicit lot expiry: after the earn's occurredAt and at most {@link #EXPIRES_AFTER_DAYS_MAX} days later. */
    public static boolean isValidExpiresAt(java.time.Instant occurredAt, java.time.Instant expiresAt) {
        return expiresAt.isAfter(occurredAt)
                && !expiresAt.isAfter(occurredAt.plus(java.time.Duration.ofDays(EXPIRES_AFTER_DAYS_MAX)));
    }

    /** 1..128 characters, each in 0x21..0x7E (printable ASCII without space). Null-safe. */
    public static boolean isValidReference(String reference) {
        if (reference == null || reference.isEmpty() || reference.length() > REFERENCE_MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < reference.length(); i++) {
            char c = reference.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /**
     * Null (no description) is valid. Otherwise at most 500 chars and no control characters
     * (they break logs and statements). Unpaired surrogates are rejected too: they cannot be
     * encoded as UTF-8, so storage or JSON output would fail or corrupt them later.
     */
    public static boolean isValidDescription(String description) {
        if (description == null) {
            return true;
        }
        if (description.length() > DESCRIPTION_MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < description.length(); i++) {
            char c = description.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= description.length() || !Character.isLowSurrogate(description.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
