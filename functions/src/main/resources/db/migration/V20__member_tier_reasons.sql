-- Member tiers (issue 17), part three.
--
-- below_reason: why the member's qualifying points went below its tier's threshold, the reason
-- the drop at the grace's end is recorded with (TierRecord.belowReason): RETURN when a return or
-- a reversal took them below, GRACE_ENDED when old earns leaving the window (or a new tier set
-- version) did; NULL when not below. Rows written before V20 read as GRACE_ENDED.
ALTER TABLE member_tiers ADD COLUMN below_reason varchar(16)
    CHECK (below_reason IN ('RETURN', 'GRACE_ENDED'));

-- The daily tier-review rewrites many member_tiers rows (every row after a new tier set
-- version). Only the primary key is indexed and it never changes, so with free room on the
-- page each rewrite is a heap-only update (no index entry, no new page). Pages written from now
-- on keep half of their room free.
ALTER TABLE member_tiers SET (fillfactor = 50);

-- The tier-review's pass, for a new tier set version (see TierReview): the version the pass runs
-- under (a pass resumed under another version starts over), whether it skipped any member (then
-- it starts over), and the last version a pass finished clean under. A member a new version
-- leaves exactly as it was is not rewritten by the review; once a pass under that version has
-- finished clean, such a row is no longer due for the version.
ALTER TABLE tier_review_checkpoints
    ADD COLUMN pass_version bigint,
    ADD COLUMN pass_skipped boolean NOT NULL DEFAULT false,
    ADD COLUMN version_done bigint;
