-- Returns and pending points (issue 18).

-- A rule's pendingDays keeps its award's lot pending until this instant (the end of the return
-- window): in the balance, not spendable. NULL: never pending. Becomes available by time alone.
ALTER TABLE lots ADD COLUMN pending_until timestamptz;
-- The liability report's `pending` reads lots still pending at an instant.
CREATE INDEX lots_pending_idx ON lots (pending_until) WHERE pending_until IS NOT NULL;

-- RETURN: points a returned purchase's award gave back (negative). One entry per award that gave
-- anything back; rule_id is the award's rule and reverses_entry_id the award's EARN entry, so the
-- award_uq index (member, reference, rule) makes it exactly-once and a later reversal of the
-- award sees what the returns already took.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('EARN','REDEEM','EXPIRE','REVERSAL','TRANSFER_IN','TRANSFER_OUT','ADJUSTMENT','RETURN'));

-- A return needs the purchase's amount (the cumulative formula divides by it). Events recorded
-- before this migration have none and are returned as one unit (whole).
ALTER TABLE business_events ADD COLUMN amount bigint CHECK (amount IS NULL OR amount >= 1);

-- One row per return (the return is also a business_events row, event 'return', which makes
-- its reference exactly-once and holds the answer a retry gets). returned_so_far is the
-- purchase's returned total after this return; the latest one is what a next return starts from.
-- Append-only (SELECT, INSERT).
CREATE TABLE returns (
    member_id          varchar(64)  NOT NULL REFERENCES accounts(member_id),
    reference          varchar(128) NOT NULL,
    original_reference varchar(128) NOT NULL,
    amount             bigint       NOT NULL CHECK (amount >= 1),
    returned_so_far    bigint       NOT NULL CHECK (returned_so_far >= amount),
    points             bigint       NOT NULL CHECK (points <= 0),
    shortfall          bigint       NOT NULL CHECK (shortfall >= 0),
    occurred_at        timestamptz  NOT NULL,
    recorded_at        timestamptz  NOT NULL,
    CONSTRAINT returns_pk PRIMARY KEY (member_id, reference),
    -- Two returns can never both start from the same returned total of one purchase.
    CONSTRAINT returns_progress_uq UNIQUE (member_id, original_reference, returned_so_far)
);
-- The liability report's `unrecovered` sums shortfalls recorded by an instant.
CREATE INDEX returns_recorded_idx ON returns (recorded_at) WHERE shortfall > 0;
GRANT SELECT, INSERT ON returns TO loyalty_app;

-- Per return and award of the purchase: what the formula owed, what came from the award's own
-- lot and from other lots, the shortfall, the RETURN entry (NULL when nothing was taken), and
-- the award's point type and occurredAt (qualifying points drop by what returns took back of
-- qualifying awards, counted on the award's day). Append-only (SELECT, INSERT).
CREATE TABLE return_awards (
    member_id          varchar(64)  NOT NULL,
    reference          varchar(128) NOT NULL,
    award_entry_id     uuid         NOT NULL,
    rule_id            varchar(64),
    point_type         varchar(32)  NOT NULL,
    award_occurred_at  timestamptz  NOT NULL,
    due                bigint       NOT NULL CHECK (due >= 0),
    from_own_lot       bigint       NOT NULL CHECK (from_own_lot >= 0),
    from_other_lots    bigint       NOT NULL CHECK (from_other_lots >= 0),
    shortfall          bigint       NOT NULL CHECK (shortfall >= 0),
    entry_id           uuid,
    CONSTRAINT return_awards_pk PRIMARY KEY (member_id, reference, award_entry_id),
    CONSTRAINT return_awards_sum_ck CHECK (due = from_own_lot + from_other_lots + shortfall),
    FOREIGN KEY (member_id, reference) REFERENCES returns (member_id, reference)
);
GRANT SELECT, INSERT ON return_awards TO loyalty_app;
