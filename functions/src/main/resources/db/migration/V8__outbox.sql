-- Events out: the transactional outbox. Every change writes its domain events here in the
-- same transaction (store.LedgerWriter); delivery to EventBridge (right after commit, and by
-- the relay on a schedule) marks them published; the relay removes published rows after the
-- retention period. Keyed by member_id first like every member table; the per-member
-- sequence comes from accounts.event_sequence, bumped in the same statement that writes
-- the events, so a member's events are numbered 1, 2, 3, ... in commit order.
ALTER TABLE accounts ADD COLUMN event_sequence bigint NOT NULL DEFAULT 0;

CREATE TABLE outbox (
    member_id     varchar(64)  NOT NULL,
    sequence      bigint       NOT NULL,
    event_id      uuid         NOT NULL,
    type          varchar(64)  NOT NULL,
    occurred_at   timestamptz  NOT NULL,
    recorded_at   timestamptz  NOT NULL,
    data          jsonb        NOT NULL,
    published_at  timestamptz,
    CONSTRAINT outbox_pk PRIMARY KEY (member_id, sequence),
    CONSTRAINT outbox_event_uq UNIQUE (member_id, event_id)
);
-- The relay's work queue: unpublished events, oldest first.
CREATE INDEX outbox_unpublished_idx ON outbox (recorded_at, member_id, sequence) WHERE published_at IS NULL;
-- Retention: published events by age.
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- The outbox is not the ledger: published rows are marked (UPDATE) and, after the retention
-- period, removed by the relay (DELETE). It is the one table the functions may delete from.
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO loyalty_app;
