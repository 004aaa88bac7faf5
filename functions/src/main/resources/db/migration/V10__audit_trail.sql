-- The audit trail: who made each ledger entry (the caller's sub, or a job's name), through
-- which source (api, queue, schedule, console) and under which request id. Written once with
-- the entry; the append-only grants (no UPDATE on ledger_entries) keep it as written. Entries
-- from before this migration have none.
ALTER TABLE ledger_entries ADD COLUMN actor_sub varchar(128);
ALTER TABLE ledger_entries ADD COLUMN actor_source varchar(16);
ALTER TABLE ledger_entries ADD COLUMN request_id varchar(128);
