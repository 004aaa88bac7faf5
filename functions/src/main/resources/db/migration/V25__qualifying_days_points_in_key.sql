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
-- Built in this transaction, so writes to qualifying_days (earns, take-backs) wait for the
-- build: about 2 s per million members here.
CREATE UNIQUE INDEX qualifying_days_pk_points ON qualifying_days (member_id, day, point_type) INCLUDE (points);
ALTER TABLE qualifying_days DROP CONSTRAINT qualifying_days_pk,
    ADD CONSTRAINT qualifying_days_pk PRIMARY KEY USING INDEX qualifying_days_pk_points;
