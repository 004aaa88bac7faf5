package dev.loyalty.functions.http;

/** Every error code of the contract with its HTTP status: the one place that owns the codes. */
public enum ApiError {
    VALIDATION_FAILED(400, "Validation failed"),
    IDEMPOTENCY_KEY_MISSING(400, "Idempotency-Key header missing"),
    UNAUTHORIZED(401, "Unauthorized"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not found"),
    MEMBER_NOT_FOUND(404, "Member not found"),
    TRANSACTION_NOT_FOUND(404, "Transaction not found"),
    HOLD_NOT_FOUND(404, "Hold not found"),
    REWARD_NOT_FOUND(404, "Reward not found"),
    REDEMPTION_NOT_FOUND(404, "Redemption not found"),
    EVENT_NOT_FOUND(404, "Event not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    IDEMPOTENCY_IN_PROGRESS(409, "A request with this Idempotency-Key is in progress"),
    HOLD_NOT_ACTIVE(409, "Hold not active"),
    REFERENCE_ALREADY_USED(409, "Reference already used with a different request"),
    ACCOUNT_CLOSED(409, "Account closed"),
    RULES_VERSION_CONFLICT(409, "Rule set version conflict"),
    OUT_OF_STOCK(409, "Out of stock"),
    REWARD_INACTIVE(409, "Reward inactive"),
    REDEMPTION_NOT_PENDING(409, "Redemption not pending"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    INSUFFICIENT_POINTS(422, "Insufficient points"),
    IDEMPOTENCY_KEY_REUSED(422, "Idempotency-Key reused with a different request"),
    NOT_REVERSIBLE(422, "Not reversible"),
    UNKNOWN_POINT_TYPE(422, "Unknown point type"),
    REDEMPTION_LIMIT_REACHED(422, "Redemption limit reached"),
    RETURN_EXCEEDS_PURCHASE(422, "Return exceeds purchase"),
    PARKED_AGAIN(422, "The replayed record was parked again"),
    INTERNAL_ERROR(500, "Internal error"),
    SERVICE_UNAVAILABLE(503, "Service unavailable");

    public final int status;
    public final String title;

    ApiError(int status, String title) {
        this.status = status;
        this.title = title;
    }

    /** A stable, dereferenceable-looking type URI per code, as RFC 9457 asks. */
    public String typeUri() {
        return "https://loyalty.dev/problems/" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
