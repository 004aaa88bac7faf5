-- A full reconcile walks the members in ranges of member_id and may stop and resume in a later
-- invocation (its work is bounded in time, like the sweep's): the row named 'full' records
-- the last member id an unfinished pass covered (NULL when the last pass finished) and when
-- it ran (checked_through).
ALTER TABLE reconcile_checkpoints ADD COLUMN after_member varchar(64);

-- Transfers are a small share of the ledger. Their net must be zero across all members, which
-- a range-by-range walk cannot see in one snapshot; this partial index lets one statement sum
-- every transfer entry without reading the rest of the ledger.
CREATE INDEX ledger_entries_transfers_idx ON ledger_entries (member_id) INCLUDE (points)
    WHERE kind IN ('TRANSFER_IN', 'TRANSFER_OUT');
