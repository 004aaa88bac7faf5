-- Issue 20: the activity and funnel reports on a large ledger read a daily rollup of CLOSED days
-- (days of the program's time zone) and the ledger itself only for the open part of their window.
-- The scheduled report-rollup job writes these tables; no write path touches them (no hot row).
--
-- Invariant, per zone: for every day before report_rollup_checkpoints.rolled_until, the rows below
-- hold exactly the ledger entries of that day whose recorded_at is before the checkpoint's
-- watermark (plus the day's reward redemptions). A report adds the entries recorded since the
-- watermark from the ledger (ledger_entries_recorded_idx), so its answer equals the raw one.

-- Where the rollup of a zone stands: days before rolled_until are rolled; a day being rolled in
-- member ranges has part_after set (the last member range's end); watermark as above.
CREATE TABLE report_rollup_checkpoints (
    zone          varchar(64) PRIMARY KEY,
    rolled_until  date        NOT NULL,
    watermark     timestamptz NOT NULL,
    part_after    varchar(64),
    updated_at    timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON report_rollup_checkpoints TO loyalty_app;

-- A rolled day's totals (activity's definitions) and its active members (distinct members with an
-- entry that day).
CREATE TABLE report_rollup_days (
    zone           varchar(64) NOT NULL,
    day            date        NOT NULL,
    issued         bigint      NOT NULL,
    redeemed       bigint      NOT NULL,
    expired        bigint      NOT NULL,
    reversed       bigint      NOT NULL,
    returned       bigint      NOT NULL,
    adjusted       bigint      NOT NULL,
    active_members bigint      NOT NULL,
    PRIMARY KEY (zone, day)
);
GRANT SELECT, INSERT, UPDATE ON report_rollup_days TO loyalty_app;

-- A rolled day's issued, redeemed and expired points by point type (redeemed and expired by the
-- type of the lots the entries took from).
CREATE TABLE report_rollup_day_types (
    zone        varchar(64) NOT NULL,
    day         date        NOT NULL,
    point_type  varchar(32) NOT NULL,
    issued      bigint      NOT NULL,
    redeemed    bigint      NOT NULL,
    expired     bigint      NOT NULL,
    PRIMARY KEY (zone, day, point_type)
);
GRANT SELECT, INSERT, UPDATE ON report_rollup_day_types TO loyalty_app;

-- One row per member and rolled day it was active (an entry, or a reward redemption): what the
-- funnel needs, since distinct members do not add across days. entries: its entries that day;
-- first_earn_at: its first EARN; first_spend_at: its first REDEEM entry or redemption;
-- first_spend_after_earn_at: its first of those at or after first_earn_at.
CREATE TABLE report_member_days (
    member_id                  varchar(64) NOT NULL,
    zone                       varchar(64) NOT NULL,
    day                        date        NOT NULL,
    entries                    integer     NOT NULL,
    first_earn_at              timestamptz,
    first_spend_at             timestamptz,
    first_spend_after_earn_at  timestamptz,
    PRIMARY KEY (member_id, zone, day)
);
CREATE INDEX report_member_days_day_idx ON report_member_days (zone, day)
    INCLUDE (member_id, entries, first_earn_at, first_spend_at, first_spend_after_earn_at);
GRANT SELECT, INSERT, UPDATE ON report_member_days TO loyalty_app;

-- The rollup reads a day's entries by occurred_at with their recording time (the watermark) and
-- entry id (allocations): one covering index replaces V17's, so the scans stay index-only (the
-- write path keeps one occurred_at index, as before).
CREATE INDEX ledger_entries_occurred_cover_idx ON ledger_entries (occurred_at)
    INCLUDE (kind, points, point_type, member_id, recorded_at, entry_id);
DROP INDEX ledger_entries_occurred_idx;
