-- Member tiers: the tier-review's retry list (see TierReview).
--
-- A chunk of the review rewrites a member only with its account row locked FOR UPDATE SKIP LOCKED
-- and only if its tier record is still the one read (xmin). A member busy (locked by a write or
-- another review) or changed meanwhile is skipped. Before V22 a pass that skipped any member
-- started over from the first member and never set version_done; on a busy system some member is
-- always locked during a long pass, so no pass ever finished. Now the skipped members go on this
-- list, with the version of the pass that skipped them, in the chunk's own write transaction; once
-- the traversal has reached the last member (traversed, below) the review retries the list (a
-- member written, no longer due or left as it was comes off it; one skipped again stays), and the
-- pass finishes (finished, version_done) only when the traversal is done and the list holds none
-- of its version. A new pass removes the rows of other versions.
--
-- No foreign key to accounts: the members listed are exactly those whose account row a write may
-- hold FOR UPDATE, and a foreign key check takes FOR KEY SHARE on that row, which waits for the
-- write (the wait SKIP LOCKED is there to avoid, and a deadlock with a write that holds one member
-- and waits for another the chunk holds). The rows come from member_tiers (which references
-- accounts) and accounts are never deleted. member_id is the key (project rule: member_id first).
CREATE TABLE tier_review_retries (
    member_id    varchar(64) NOT NULL,
    pass_version bigint      NOT NULL,
    CONSTRAINT tier_review_retries_pk PRIMARY KEY (member_id)
);
-- A work list, not a record of anything: a member retried comes off it (DELETE), like published
-- outbox rows after their retention (V8). These two are the tables the functions may delete from.
GRANT SELECT, INSERT, UPDATE, DELETE ON tier_review_retries TO loyalty_app;

-- Whether the pass's traversal (member id order, after_member) has reached the last member: a run
-- that starts with a checkpoint of the same pass version, traversed and not finished, goes
-- straight to the retry list. Reset by a new pass and when the pass finishes.
ALTER TABLE tier_review_checkpoints ADD COLUMN traversed boolean NOT NULL DEFAULT false;

-- A pass unfinished when this migration runs may have skipped members before there was a list to
-- keep them on (pass_skipped): it starts over, or it could finish without them.
UPDATE tier_review_checkpoints SET after_member = '' WHERE name = 'tier-review' AND NOT finished AND pass_skipped;
