-- Where incremental reconciliation got to. One row per job; a small global table (a Citus
-- reference table), the one table not keyed by member.
CREATE TABLE reconcile_checkpoints (
    name            varchar(32) PRIMARY KEY,
    checked_through timestamptz NOT NULL
);
