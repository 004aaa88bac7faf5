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
