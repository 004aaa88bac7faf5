/**
 * Exactly-once API writes on a DynamoDB table claimed with conditional writes.
 *
 * <p>Rules: see {@link dev.loyalty.functions.idempotency.IdempotentWrites}. Every POST route
 * runs through it after authentication and the Idempotency-Key check, so 401/403/400-missing-key
 * are never stored, and every other 2xx/4xx answer is. The DynamoDB condition and
 * {@link dev.loyalty.core.idempotency.IdempotencyRules#claimable} are one predicate.
 */
package dev.loyalty.functions.idempotency;
