package dev.loyalty.functions.store;

/**
 * A dependency (PostgreSQL, DynamoDB) could not be reached or timed out. The boundary answers
 * 503 with Retry-After; whatever transaction was open has been rolled back, so nothing applied.
 */
public class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
