-- Member tiers (issue 17), part four: qualifying days for earns recorded before V15.
--
-- V15 began keeping qualifying_days with every write; an earn recorded before it has no row, so
-- its member's qualifying points (and tier) miss it. When the ledger already holds earns, this
-- queues a one-time rebuild (tiers.QualifyingRebuild): the tier-review runs it, before its
-- review and until it is done, in chunks of members in member id order, each with the members'
-- account locks held, setting every (member, day, point type) of the last year and two days to
-- what the member's EARN, REVERSAL and RETURN entries give, and recording what that does to the
-- tier. A member whose rows already agree is not written, so the rebuild is safe to run again.
-- Its position is a tier_review_checkpoints row of its own (after_member, finished).
INSERT INTO tier_review_checkpoints(name, run_as_of, after_member, finished)
SELECT 'qualifying-rebuild', now(), '', false
 WHERE EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'EARN')
ON CONFLICT (name) DO NOTHING;
