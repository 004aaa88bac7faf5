-- Member tiers (issue 17), part two: per-member tier state, written only by the ledger writer in
-- the same transaction as the entry that changes it.
--
-- qualifying_days: what each member earned per day of occurredAt (program time zone) and point
-- type, net of what reversals and returns took back. Every EARN adds (whatever its type: a later
-- tier set version may make another type qualify); a take-back lowers the original earn's day,
-- never below zero. Spending and expiry never touch it. A read sums at most ~366 days of rows:
-- one index range scan per member.
CREATE TABLE qualifying_days (
    member_id  varchar(64) NOT NULL REFERENCES accounts(member_id),
    day        date        NOT NULL,
    point_type varchar(32) NOT NULL,
    points     bigint      NOT NULL CHECK (points >= 0),
    CONSTRAINT qualifying_days_pk PRIMARY KEY (member_id, day, point_type)
);
GRANT SELECT, INSERT, UPDATE ON qualifying_days TO loyalty_app;

-- member_tiers: the member's tier record (TierRecord) as of evaluated_at, the tier set version it
-- was computed with, and review_at: the earliest instant it can change with no write (its grace
-- ending, or qualifying points falling below its threshold as old earns leave the window); null
-- when only a write or a new tier set version can change it. The daily tier-review picks the rows
-- whose review_at has passed or whose version is not the one in force.
CREATE TABLE member_tiers (
    member_id        varchar(64) NOT NULL REFERENCES accounts(member_id),
    tier             varchar(32) NOT NULL,
    since            timestamptz NOT NULL,
    below_since      timestamptz,
    evaluated_at     timestamptz NOT NULL,
    tier_set_version bigint      NOT NULL,
    review_at        timestamptz,
    CONSTRAINT member_tiers_pk PRIMARY KEY (member_id)
);
GRANT SELECT, INSERT, UPDATE ON member_tiers TO loyalty_app;

-- member_tier_history: every tier change, append-only (SELECT, INSERT), numbered per member.
CREATE TABLE member_tier_history (
    member_id varchar(64) NOT NULL REFERENCES accounts(member_id),
    position  int         NOT NULL CHECK (position >= 1),
    from_tier varchar(32) NOT NULL,
    to_tier   varchar(32) NOT NULL,
    at        timestamptz NOT NULL,
    reason    varchar(16) NOT NULL CHECK (reason IN ('QUALIFIED','GRACE_ENDED','RETURN','CONFIG_CHANGED')),
    recorded_at timestamptz NOT NULL,
    CONSTRAINT member_tier_history_pk PRIMARY KEY (member_id, position)
);
GRANT SELECT, INSERT ON member_tier_history TO loyalty_app;

-- Where an unfinished tier-review run got to (one row per job, like reconcile_checkpoints): the
-- run's instant and the last member it handled; the next invocation of the same day resumes there.
CREATE TABLE tier_review_checkpoints (
    name         varchar(32) PRIMARY KEY,
    run_as_of    timestamptz NOT NULL,
    after_member varchar(64) NOT NULL,
    finished     boolean     NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON tier_review_checkpoints TO loyalty_app;
