-- Program-wide domain events (issue 16): program.rules.published and program.tiers.published.
--
-- The outbox keys every event by member_id and numbers each member's events from
-- accounts.event_sequence. A published rule or tier set belongs to no member, so these events
-- form their own ordered stream under the reserved id '_program' (core MemberId.PROGRAM, which
-- no member may have). This table holds that stream's last sequence number: the publisher bumps
-- it (UPDATE ... RETURNING) in the same transaction as the new version and the outbox row, so
-- the row lock orders rule and tier publications alike, and '_program' is numbered 1, 2, 3, ...
-- in commit order like any member. Keyed by member_id first, so on a distributed cluster it is
-- co-located with the stream's outbox rows.
CREATE TABLE outbox_streams (
    member_id      varchar(64) PRIMARY KEY,
    event_sequence bigint      NOT NULL CHECK (event_sequence >= 0)
);
INSERT INTO outbox_streams(member_id, event_sequence) VALUES ('_program', 0);
GRANT SELECT, UPDATE ON outbox_streams TO loyalty_app;
