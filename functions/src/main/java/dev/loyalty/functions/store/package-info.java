/**
 * PostgreSQL storage: the append-only ledger, lots and accounts, plus versioned migrations.
 *
 * <p>Rules: entries are only ever inserted; the only columns updated in place are an
 * account's balance and version and a lot's remaining points, which the entries explain.
 * {@code UNIQUE (member_id, kind, reference)} refuses a second application of the same write,
 * even when the idempotency record has long expired. Every key starts with member_id, so the
 * tables can be distributed by member. Writes lock the account row first (see
 * {@link dev.loyalty.functions.store.LedgerStore}).
 */
package dev.loyalty.functions.store;
