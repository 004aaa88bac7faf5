-- Events out, delivery (issue 15, second half).
-- The publishers (right after commit, and the relay) lock a member's OLDEST unpublished rows
-- in (member_id, sequence) order; this partial index is that work queue, small whatever the
-- size of the retained, published rows.
CREATE INDEX outbox_unpublished_member_idx ON outbox (member_id, sequence) WHERE published_at IS NULL;

-- points.expiring notices: one per lot, ever. A row here means the lot's notice was written
-- to the outbox in the same transaction; keyed by member_id first like every member table.
CREATE TABLE expiry_notices (
    member_id   varchar(64) NOT NULL,
    lot_id      uuid        NOT NULL,
    expires_at  timestamptz NOT NULL,
    noticed_at  timestamptz NOT NULL,
    CONSTRAINT expiry_notices_pk PRIMARY KEY (member_id, lot_id)
);

GRANT SELECT, INSERT ON expiry_notices TO loyalty_app;
