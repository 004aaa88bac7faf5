package dev.loyalty.functions;

import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Migrator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.pgclient.PgException;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The functions' database role: rows only, no DDL, the ledger append-only. Every other test
 * in the suite runs as this role too (see {@link PostgresResource}); this one shows what it
 * may NOT do, through the function's own pool.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class AppRoleGrantsTest extends LedgerTestSupport {
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    @Inject
    Db db;
    @Inject
    EarnService earn;

    @Test
    void theFunctionsConnectAsTheAppLoginNotTheOwner() {
        List<String> who = db.read(tx -> tx.list("SELECT current_user AS u, "
                + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::text AS s, "
                + "pg_has_role(current_user, 'loyalty_app', 'MEMBER')::text AS m", r -> r.getString("u") + "/" + r.getString("s")
                + "/" + r.getString("m")));
        assertEquals(List.of(PostgresResource.APP_USER + "/false/true"), who);
    }

    @Test
    void noDdlNoRewritingTheLedgerNoDeletes() {
        String m = newMember();
        earn.earn(new EarnCommand(m, 10, "PURCHASE", "grants-1", null, null));
        for (String forbidden : List.of(
                "CREATE TABLE sneaky (id int)",
                "ALTER TABLE accounts ADD COLUMN sneaky int",
                "DROP INDEX lots_open_idx",
                "TRUNCATE parked_messages",
                "UPDATE ledger_entries SET points = points + 1 WHERE member_id = '" + m + "'",
                "DELETE FROM ledger_entries WHERE member_id = '" + m + "'",
                "UPDATE entry_allocations SET points = 0 WHERE member_id = '" + m + "'",
                "DELETE FROM accounts WHERE member_id = '" + m + "'",
                "DELETE FROM lots WHERE member_id = '" + m + "'",
                "INSERT INTO schema_migrations(version, name, checksum) VALUES (999, 'x', 'y')",
                "CREATE ROLE sneaky LOGIN")) {
            PgException e = assertThrows(PgException.class, () -> db.inTransaction(tx -> tx.query(forbidden)), forbidden);
            assertEquals(INSUFFICIENT_PRIVILEGE, e.getSqlState(), forbidden + ": " + e.getMessage());
        }
        assertEquals(List.of(10L), db.read(tx -> tx.list("SELECT balance FROM accounts WHERE member_id = $1",
                r -> r.getLong("balance"), m)), "nothing changed");
    }

    @Test
    void everyTableGrantsTheAppRoleAndNoneGrantsDelete() {
        // Read as the owner: a migration that adds a table without granting on it fails here,
        // not in production at the first request.
        List<String> ungranted = PostgresResource.owner().read(tx -> tx.list("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                  AND NOT has_table_privilege($1, c.oid, 'SELECT')
                ORDER BY 1""", r -> r.getString("relname"), Migrator.APP_ROLE));
        assertEquals(List.of(), ungranted, "tables the functions cannot read");
        List<String> deletable = PostgresResource.owner().read(tx -> tx.list("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                  AND (has_table_privilege($1, c.oid, 'DELETE') OR has_table_privilege($1, c.oid, 'TRUNCATE'))
                ORDER BY 1""", r -> r.getString("relname"), Migrator.APP_ROLE));
        // The outbox: the relay removes published events after the retention period (V8). The
        // tier-review's retry list: a member retried comes off it (V22). Work lists, not records.
        assertEquals(List.of("outbox", "tier_review_retries"), deletable, "tables the functions could delete from");
        List<String> rewritable = PostgresResource.owner().read(tx -> tx.list("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relname IN ('ledger_entries', 'entry_allocations', 'schema_migrations')
                  AND (has_table_privilege($1, c.oid, 'UPDATE'))
                ORDER BY 1""", r -> r.getString("relname"), Migrator.APP_ROLE));
        assertEquals(List.of(), rewritable, "append-only tables the functions could rewrite");
    }

    @Test
    void migrateAsTheAppLoginIsANoOpWhenNothingIsPending() {
        Migrator.Result result = migrator.migrate();
        assertEquals(List.of(), result.applied());
    }
}
