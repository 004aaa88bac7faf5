-- Queue records that can never succeed (bad JSON, failed schema, unknown type, bad member id,
-- a reference reused with a different payload): parked durably with the raw body and the
-- reason, acknowledged to SQS, listed for operators and replayable once fixed.
CREATE TABLE parked_messages (
    -- The member when the record names a valid one, '' otherwise: still a usable distribution key.
    member_id   varchar(64)  NOT NULL DEFAULT '',
    message_id  varchar(128) NOT NULL,
    source      varchar(32)  NOT NULL,
    raw_body    text         NOT NULL,
    code        varchar(32)  NOT NULL,
    reason      text         NOT NULL,
    received_at timestamptz  NOT NULL,
    parked_at   timestamptz  NOT NULL,
    replayed_at timestamptz,
    PRIMARY KEY (member_id, message_id)
);
CREATE INDEX parked_messages_open_idx ON parked_messages (parked_at) WHERE replayed_at IS NULL;
