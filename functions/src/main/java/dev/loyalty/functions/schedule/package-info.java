/**
 * Scheduled jobs: the expiry sweep and reconciliation, invoked by EventBridge Scheduler (and the
 * tier review and the report rollup, whose classes live with their subjects).
 *
 * <p>Rules: every job is bounded (members per transaction, a time budget per invocation) and
 * resumable (the work queue is the data: lots past expiry with points left). Two sweeps at
 * once are safe: each member is locked with {@code FOR UPDATE SKIP LOCKED} and a lot, once
 * zeroed, is never expired again. A full reconcile walks member ranges and keeps a cursor
 * (the last member id covered) between invocations; incremental mode is capped in members.
 * Reconcile reports and never corrects. Cron expressions live
 * in {@code loyalty.schedules.*} (application.properties), in the program's time zone.
 */
package dev.loyalty.functions.schedule;
