-- Ledger schema, version 1.
-- Every table leads with member_id and every unique key contains it, so member_id can be
-- the distribution column (Citus: SELECT create_distributed_table('accounts','member_id'); etc.).

CREATE TABLE accounts (
    member_id    varchar(64) PRIMARY KEY,
    balance      bigint      NOT NULL CHECK (balance >= 0),
    -- version = number of ledger entries so far; the next entry's sequence is version + 1.
    version      bigint      NOT NULL CHECK (version >= 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE ledger_entries (
    member_id     varchar(64)  NOT NULL,
    entry_id      uuid         NOT NULL,
    sequence      bigint       NOT NULL CHECK (sequence >= 1),
    kind          varchar(16)  NOT NULL CHECK (kind IN ('EARN','REDEEM','EXPIRE','REVERSAL','TRANSFER_IN','TRANSFER_OUT','ADJUSTMENT')),
    points        bigint       NOT NULL CHECK (points <> 0),
    balance_after bigint       NOT NULL CHECK (balance_after >= 0),
    point_type    varchar(32),
    reference     varchar(128) NOT NULL,
    description   varchar(500),
    occurred_at   timestamptz  NOT NULL,
    recorded_at   timestamptz  NOT NULL,
    PRIMARY KEY (member_id, entry_id),
    -- The history is read newest first by sequence; this key also proves the chain has no gaps twice.
    CONSTRAINT ledger_entries_sequence_uq UNIQUE (member_id, sequence),
    -- Last line of defence against double application: one entry per member, kind and reference.
    CONSTRAINT ledger_entries_reference_uq UNIQUE (member_id, kind, reference)
);

-- History filters: recorded_at range and kind, still newest first.
CREATE INDEX ledger_entries_member_recorded_idx ON ledger_entries (member_id, recorded_at DESC, sequence DESC);
-- Incremental reconcile and reports scan by recording time across members.
CREATE INDEX ledger_entries_recorded_idx ON ledger_entries (recorded_at);

CREATE TABLE lots (
    member_id        varchar(64) NOT NULL,
    lot_id           uuid        NOT NULL,
    point_type       varchar(32) NOT NULL,
    original_points  bigint      NOT NULL CHECK (original_points >= 1),
    remaining_points bigint      NOT NULL CHECK (remaining_points >= 0 AND remaining_points <= original_points),
    earned_at        timestamptz NOT NULL,
    expires_at       timestamptz,
    source_entry_id  uuid        NOT NULL,
    PRIMARY KEY (member_id, lot_id),
    FOREIGN KEY (member_id, source_entry_id) REFERENCES ledger_entries (member_id, entry_id)
);

-- Spending order and balance reads only look at open lots.
CREATE INDEX lots_open_idx ON lots (member_id, expires_at NULLS LAST, earned_at) WHERE remaining_points > 0;
-- The expiry sweep finds lots past expiry with points left, across members.
CREATE INDEX lots_expiry_idx ON lots (expires_at) WHERE remaining_points > 0 AND expires_at IS NOT NULL;
