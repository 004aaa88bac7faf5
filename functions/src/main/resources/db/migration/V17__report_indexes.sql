-- Program reports (issue 20): the time indexes each report's one statement goes through.
-- Reports count points on the day of their occurredAt, so they scan entries by occurred_at over a
-- window of at most 400 days. The index covers what the reports read (kind, points, type, member),
-- so a window's scan is an index-only scan where the visibility map allows.
CREATE INDEX ledger_entries_occurred_idx ON ledger_entries (occurred_at) INCLUDE (kind, points, point_type, member_id);
-- The funnel counts reward redemptions created in the window.
CREATE INDEX redemptions_created_idx ON redemptions (created_at);
-- The experiment report reads business events (and their variants) in the window.
CREATE INDEX business_events_occurred_idx ON business_events (occurred_at);
