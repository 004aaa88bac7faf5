-- Member tiers (issue 17), part six: qualifying day rows read from the primary key's index alone.
--
-- Every tier read (a balance, a write, the tier-review, the qualifying rebuild) reads a member's
-- qualifying_days rows by member_id. The rows lie in the heap in the order they were written
-- (time), so without this each row read was a heap page fetch of its own: the tier-review's
-- reads of 100,000 members' days took ~24 us a member locally. With points carried in the
-- primary key's index (INCLUDE: not part of the key, so ON CONFLICT (member_id, day,
-- point_type) and the key's uniqueness are unchanged), those reads are index-only scans in
-- member order wherever the visibility map allows (autovacuum sets it on these insert-mostly
-- pages; rows written since the last vacuum are fetched as before): ~5x fewer buffers a member.
-- One index, as before; the cost is that an update of a day's points is no longer a heap-only
-- update (rarely possible anyway at the default fillfactor, pages being full once written).
--
-- One statement, one lock: ACCESS EXCLUSIVE on qualifying_days while the new index builds (about
-- 2 s per million members here), so tier reads and writes of that table wait for it; taking a
-- weaker lock first (CREATE INDEX) and upgrading it (ALTER TABLE) would deadlock with an earn
-- that had read the table before the build and inserts into it after.
ALTER TABLE qualifying_days DROP CONSTRAINT qualifying_days_pk,
    ADD CONSTRAINT qualifying_days_pk PRIMARY KEY (member_id, day, point_type) INCLUDE (points);
