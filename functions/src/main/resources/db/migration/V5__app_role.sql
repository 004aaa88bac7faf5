-- The functions' database role. Only the migrate Lambda connects with the owner's (DDL)
-- credentials; every other function logs in as a member of loyalty_app, which can read and
-- write rows but never change the schema. The ledger is append-only in the grants too:
-- ledger_entries and entry_allocations take INSERT and SELECT, never UPDATE or DELETE.
-- No role gets DELETE on any table.
-- The login user (its name and password from the app secret) is created or re-passworded by
-- the migrate step after the migrations (Migrator.ensureAppLogin): a password never sits in SQL
-- files. Every later migration that adds a table grants on it here-style; a test checks that
-- each table in the schema has loyalty_app grants.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'loyalty_app') THEN
        CREATE ROLE loyalty_app NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO loyalty_app;
GRANT SELECT ON schema_migrations TO loyalty_app;
GRANT SELECT, INSERT ON ledger_entries, entry_allocations TO loyalty_app;
GRANT SELECT, INSERT, UPDATE ON accounts, lots, holds, parked_messages, reconcile_checkpoints TO loyalty_app;
