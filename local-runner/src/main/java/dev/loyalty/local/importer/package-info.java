/**
 * {@code ./loyalty import}: lots from another provider into the ledger, through the queue path.
 *
 * <p>Rules: the whole file is validated first with the core's earn rule (the one the queue
 * applies), plus duplicate (member, reference) pairs; any error, or {@code --dry-run}, prints
 * the report and sends nothing. Records go in batches as SQS events to the earn-queue function
 * ({@code POST /_local/sqs/earn}); transient failures are sent again. Each record is an earn
 * with {@code occurredAt} = earnedAt and, when given, {@code expiresAt} (else the point type's
 * policy), exactly once by (member, reference): re-running an import applies nothing twice.
 */
package dev.loyalty.local.importer;
