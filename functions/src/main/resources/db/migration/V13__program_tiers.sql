-- Member tiers (issue 17), part one: tier sets as versioned data.
--
-- tier_sets: immutable versions of the program's tier set document (qualifying window and
-- point types, tiers with thresholds and earn multipliers, downgrade grace), in force from
-- effective_from until the next version's. Program configuration, not member data: a
-- reference table on a distributed PostgreSQL. The functions may add versions, never change or
-- remove one (SELECT, INSERT only). Version 1 is Part 1's behaviour: one tier, MEMBER at 1x,
-- in force since the earliest occurredAt a write may carry.
CREATE TABLE tier_sets (
    version        bigint       PRIMARY KEY CHECK (version >= 1),
    effective_from timestamptz  NOT NULL,
    document       jsonb        NOT NULL,
    published_at   timestamptz  NOT NULL,
    published_by   varchar(128) NOT NULL
);
CREATE INDEX tier_sets_effective_idx ON tier_sets (effective_from DESC, version DESC);
INSERT INTO tier_sets(version, effective_from, document, published_at, published_by)
VALUES (1, '2000-01-01T00:00:00Z',
        '{"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE"]},"tiers":[{"name":"MEMBER","threshold":0,"earnMultiplierBp":10000}],"downgrade":{"graceDays":0}}',
        now(), 'migration');
GRANT SELECT, INSERT ON tier_sets TO loyalty_app;
