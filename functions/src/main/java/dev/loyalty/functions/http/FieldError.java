package dev.loyalty.functions.http;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of a VALIDATION_FAILED problem's {@code errors[]}. */
@RegisterForReflection
public record FieldError(String field, String message) {
}
