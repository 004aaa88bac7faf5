package dev.loyalty.functions.http;

import java.util.List;
import java.util.Map;

/**
 * A request that cannot go on, carried to the boundary as a problem. Thrown only while
 * reading a request (before anything is written); business outcomes are values, not this.
 */
public final class ApiException extends RuntimeException {
    public final ApiError error;
    public final Map<String, Object> extra;

    public ApiException(ApiError error, String detail) {
        this(error, detail, Map.of());
    }

    public ApiException(ApiError error, String detail, Map<String, Object> extra) {
        super(detail, null, false, false);
        this.error = error;
        this.extra = extra;
    }

    public static ApiException validation(String field, String message) {
        return new ApiException(ApiError.VALIDATION_FAILED, field + ": " + message,
                Map.of("errors", List.of(new FieldError(field, message))));
    }
}
