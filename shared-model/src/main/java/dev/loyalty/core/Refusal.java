package dev.loyalty.core;

/**
 * A rule's refusal in the API's terms, shared by every outcome family (earn, spend), so the
 * boundary maps all of them to problem+json in one place.
 */
public interface Refusal {
    /** API error code, e.g. VALIDATION_FAILED or INSUFFICIENT_POINTS. */
    String code();

    /** JSON field name of the offending input. */
    String field();

    /** Human-readable explanation; never echoes the rejected value. */
    String message();
}
