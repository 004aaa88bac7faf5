-- Program rules (issue 16): rule sets as versioned data, business events, cap usage.
--
-- rule_sets: immutable versions of the program's rule set document, in force from
-- effective_from until the next version's. Program configuration, not member data: a
-- reference table on a distributed PostgreSQL. The functions may add versions, never change
-- or remove one (SELECT, INSERT only). Version 1 is the default the contract asks for: Part 1's
-- point types and no rules, in force since the earliest occurredAt a write may carry.
CREATE TABLE rule_sets (
    version        bigint       PRIMARY KEY CHECK (version >= 1),
    effective_from timestamptz  NOT NULL,
    document       jsonb        NOT NULL,
    published_at   timestamptz  NOT NULL,
    published_by   varchar(128) NOT NULL
);
CREATE INDEX rule_sets_effective_idx ON rule_sets (effective_from DESC, version DESC);
INSERT INTO rule_sets(version, effective_from, document, published_at, published_by)
VALUES (1, '2000-01-01T00:00:00Z', '{"rules":[],"experiments":[]}', now(), 'migration');
GRANT SELECT, INSERT ON rule_sets TO loyalty_app;

-- Awards are EARN entries that say which rule, rule set version and experiment variant made them.
ALTER TABLE ledger_entries ADD COLUMN rule_id varchar(64);
ALTER TABLE ledger_entries ADD COLUMN rules_version bigint;
ALTER TABLE ledger_entries ADD COLUMN variant varchar(64);
-- An event's awards share the event's reference, one entry per rule; a direct earn's reference
-- stays unique among direct entries. Business events are made exactly-once by business_events.
DROP INDEX ledger_entries_reference_uq;
CREATE UNIQUE INDEX ledger_entries_reference_uq ON ledger_entries (member_id, kind, reference)
    WHERE kind <> 'TRANSFER_IN' AND rule_id IS NULL;
CREATE UNIQUE INDEX ledger_entries_award_uq ON ledger_entries (member_id, reference, rule_id)
    WHERE rule_id IS NOT NULL;

-- One row per business event, written with its awards: the event is applied once per (member,
-- reference); the request fingerprint tells a retry from a different event; the answer is what
-- a retry gets; variants (experiment -> variant) and the counts feed the per-variant report.
-- Append-only (SELECT, INSERT).
CREATE TABLE business_events (
    member_id           varchar(64)  NOT NULL REFERENCES accounts(member_id),
    reference           varchar(128) NOT NULL,
    event               varchar(40)  NOT NULL,
    occurred_at         timestamptz  NOT NULL,
    recorded_at         timestamptz  NOT NULL,
    rules_version       bigint       NOT NULL,
    points              bigint       NOT NULL CHECK (points >= 0),
    variants            jsonb        NOT NULL,
    request_fingerprint char(64)     NOT NULL,
    answer              jsonb        NOT NULL,
    actor_sub           varchar(128),
    actor_source        varchar(16),
    request_id          varchar(128),
    CONSTRAINT business_events_pk PRIMARY KEY (member_id, reference)
);
GRANT SELECT, INSERT ON business_events TO loyalty_app;

-- What each member earned from each capped rule per calendar period (program time zone):
-- read and bumped under the member's row lock, so caps hold under any concurrency.
CREATE TABLE cap_usage (
    member_id    varchar(64) NOT NULL REFERENCES accounts(member_id),
    rule_id      varchar(64) NOT NULL,
    period       varchar(8)  NOT NULL CHECK (period IN ('DAY','WEEK','MONTH')),
    period_start date        NOT NULL,
    points       bigint      NOT NULL CHECK (points >= 0),
    events       bigint      NOT NULL CHECK (events >= 0),
    CONSTRAINT cap_usage_pk PRIMARY KEY (member_id, rule_id, period, period_start)
);
GRANT SELECT, INSERT, UPDATE ON cap_usage TO loyalty_app;
