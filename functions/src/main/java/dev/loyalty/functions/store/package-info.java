/**
 * PostgreSQL storage: the append-only ledger, lots, holds and accounts, plus versioned migrations.
 *
 * <p>Rules: {@link dev.loyalty.functions.store.LedgerWriter} is the one writer of the ledger
 * tables; it persists what a core rule decided (one member, a batch, or the sweep's set-based
 * statement built from the core's definitions) and nothing else writes them.
 * {@link dev.loyalty.functions.store.LedgerStore} only reads. Entries are only ever inserted;
 * the only columns updated in place are an account's balance and version, a lot's remaining
 * points and a hold's status, which the entries explain. Each write's request fingerprint is
 * stored with its entry or hold, so a reused reference is told apart as a replay or a different
 * request forever; {@code UNIQUE (member_id, kind, reference)} refuses a second application even
 * when the idempotency record has long expired. Every key starts with member_id, so the tables
 * can be distributed by member. Writes lock the account row first. A return writes RETURN
 * entries (one per award, unique by (member, reference, rule id)), {@code returns} and
 * {@code return_awards} rows and its {@code business_events} row, all through the writer. The writer also keeps the
 * members' tier state (qualifying day rows, the tier record, its append-only history and
 * {@code tier.changed}) in the same transaction as the entry that changes it; a take-back of
 * qualifying points (a reversal of an earn, a return) is the one statement {@code qualifyingTakenBack}.
 * {@link dev.loyalty.functions.store.ReportReads} sends the heavy reports' reads to a replica when
 * one is configured (its own pool; never a write; an unreachable replica is 503, never a silent
 * read of the primary), and tells the answer which one it read.
 *
 * <p>Program-wide events ({@code program.rules.published}, {@code program.tiers.published}) are
 * written by {@link dev.loyalty.functions.store.LedgerWriter#emitProgram} too, in the Hibernate
 * Reactive transaction of the version they announce, keyed by the reserved stream
 * {@code _program} and numbered from {@code outbox_streams}.
 *
 * <p>The program's configuration entities (Hibernate Reactive with Panache) run through
 * {@link dev.loyalty.functions.store.Entities}, on the same pool, bounded and classified like
 * {@link dev.loyalty.functions.store.Db} (a stalled database is 503, never a hang). The ledger's
 * hot paths never use them.
 */
package dev.loyalty.functions.store;
