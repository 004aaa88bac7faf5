-- Rewards and redemptions (issue 19).
--
-- rewards: the catalog, a small reference table (program configuration, no member data; on a
-- distributed PostgreSQL a reference table). stock is NULL for an unlimited reward and never
-- below zero: a redemption takes it with a conditional decrement, last in its transaction.
CREATE TABLE rewards (
    reward_id        varchar(64)  PRIMARY KEY,
    name             varchar(200) NOT NULL,
    cost             bigint       NOT NULL CHECK (cost BETWEEN 1 AND 1000000000),
    stock            bigint       CHECK (stock >= 0),
    per_member_limit integer      CHECK (per_member_limit >= 1),
    active           boolean      NOT NULL,
    created_at       timestamptz  NOT NULL,
    updated_at       timestamptz  NOT NULL,
    updated_by       varchar(128)
);
GRANT SELECT, INSERT, UPDATE ON rewards TO loyalty_app;

-- Every change of a reward's stock by an operator, exactly once by (reward, reference).
-- Append-only (SELECT, INSERT).
CREATE TABLE reward_stock_changes (
    reward_id           varchar(64)  NOT NULL, -- a reward of rewards (checked under its row lock; no FK: reference tables carry none)
    reference           varchar(128) NOT NULL,
    delta               bigint       NOT NULL,
    stock_after         bigint       NOT NULL CHECK (stock_after >= 0),
    request_fingerprint char(64)     NOT NULL,
    created_at          timestamptz  NOT NULL,
    actor_sub           varchar(128),
    CONSTRAINT reward_stock_changes_pk PRIMARY KEY (reward_id, reference)
);
GRANT SELECT, INSERT ON reward_stock_changes TO loyalty_app;

-- A member's redemptions, keyed by member_id first (the distribution column). entry_id is the
-- REDEEM that paid for it (same reference), cancel_entry_id the REVERSAL that refunded it.
-- The status moves PENDING -> FULFILLED or PENDING -> CANCELLED once (the writer checks it in SQL).
CREATE TABLE redemptions (
    member_id           varchar(64)  NOT NULL REFERENCES accounts(member_id),
    redemption_id       uuid         NOT NULL,
    reward_id           varchar(64)  NOT NULL,
    quantity            integer      NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    points              bigint       NOT NULL CHECK (points >= 1),
    status              varchar(16)  NOT NULL CHECK (status IN ('PENDING', 'FULFILLED', 'CANCELLED')),
    reference           varchar(128) NOT NULL,
    request_fingerprint char(64)     NOT NULL,
    entry_id            uuid         NOT NULL,
    cancel_entry_id     uuid,
    fulfilment_ref      varchar(128),
    finish_fingerprint  char(64),
    created_at          timestamptz  NOT NULL,
    updated_at          timestamptz  NOT NULL,
    CONSTRAINT redemptions_pk PRIMARY KEY (member_id, redemption_id),
    CONSTRAINT redemptions_reference_uq UNIQUE (member_id, reference)
);
CREATE INDEX redemptions_member_reward_idx ON redemptions (member_id, reward_id);
CREATE INDEX redemptions_member_created_idx ON redemptions (member_id, created_at DESC);
GRANT SELECT, INSERT, UPDATE ON redemptions TO loyalty_app;
