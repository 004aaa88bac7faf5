package dev.loyalty.core.idempotency;

/** The idempotency table could not be reached or throttled us: answer 503, apply nothing. */
public class IdempotencyStoreUnavailableException extends RuntimeException {
    public IdempotencyStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
