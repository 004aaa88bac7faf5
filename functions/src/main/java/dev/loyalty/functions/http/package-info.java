/**
 * The HTTP boundary: API Gateway HTTP API (payload 2.0) events in, responses out.
 *
 * <p>Rules: errors are {@code application/problem+json} with a stable {@code code}, and
 * {@link dev.loyalty.functions.http.ApiError} is the only place that maps codes to statuses.
 * Bodies over {@code loyalty.http.max-body-bytes} get 413 before parsing. Points are read as
 * JSON integers only, and unknown fields are rejected. Identity comes from the JWT
 * authorizer's claims ({@link dev.loyalty.functions.http.Caller}); a request with none gets 401.
 */
package dev.loyalty.functions.http;
