/**
 * Exactly-once writes: the idempotency port and its rules.
 *
 * <p>Rules: a key is scoped by caller and route (API) or by member and reference (queue).
 * Claiming is one conditional write that succeeds when the key is absent, expired, or
 * IN_PROGRESS past its in-progress expiry. A live duplicate with a different request hash is
 * refused (IDEMPOTENCY_KEY_REUSED), a completed one is replayed, a running one gets
 * IDEMPOTENCY_IN_PROGRESS. 2xx and 4xx answers are stored; a 5xx releases the claim. The
 * ledger's unique (member, kind, reference) is the backstop when a record is gone.
 * Times are passed in; units are in the names.
 */
package dev.loyalty.core.idempotency;
