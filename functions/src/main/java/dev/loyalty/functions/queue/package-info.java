/**
 * Partner earn events from SQS.
 *
 * <p>Rules: one invocation handles the whole batch, applying the valid records in one
 * PostgreSQL transaction where it can (falling back to one per record on a conflict). Each
 * record takes effect once: its key is the member plus {@code reference}, claimed in the
 * idempotency table and backed by the ledger's unique reference. A record that can never
 * succeed is parked in {@code parked_messages} with its raw body and reason and acknowledged;
 * only transient failures go back to SQS in {@code batchItemFailures}, to be retried and,
 * after {@code maxReceiveCount}, moved to the dead-letter queue. A record may carry
 * {@code expiresAt} (imports, {@code ./loyalty import}): whoever may send to the queue is
 * trusted with it, as with {@code occurredAt}; the core's bounds park a bad one.
 */
package dev.loyalty.functions.queue;
