/**
 * Partner earn events from SQS, and the parked records operators replay.
 *
 * <p>Rules: one invocation handles the whole batch, applying the valid records in one
 * PostgreSQL transaction where it can (falling back to one per record on a conflict). Each
 * record takes effect once: its key is the member plus {@code reference}, and the ledger
 * transaction itself is the check (the unique reference read under the members' row locks and
 * written with the effect), with no call to the idempotency table. A record that can never
 * succeed (bad JSON, failed validation, unknown type, a reference reused with another
 * payload) is parked in {@code parked_messages} with its raw body and reason and acknowledged;
 * only transient failures go back to SQS in {@code batchItemFailures}, to be retried and,
 * after {@code maxReceiveCount}, moved to the dead-letter queue. {@link dev.loyalty.functions.queue.ParkedAdmin}
 * lists parked records and replays one (a corrected body allowed) through the same path.
 * A record may carry {@code expiresAt} (imports, {@code ./loyalty import}): whoever may send to the queue is
 * trusted with it, as with {@code occurredAt}; the core's bounds park a bad one.
 *
 * <p>A return ({@code event: "return"}) whose purchase is not recorded yet is transient (SQS
 * does not keep order): listed for retry until the record's {@code ApproximateReceiveCount}
 * reaches {@link dev.loyalty.functions.queue.QueueConfig#returnBeforePurchaseMaxReceives}, then
 * parked as EVENT_NOT_FOUND with the reason. Every other refusal of a return is parked at once.
 */
package dev.loyalty.functions.queue;
