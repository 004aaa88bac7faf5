package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Migrator;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reconcile through its handler: clean, then each corruption reported precisely (and repaired after). */
@QuarkusTest
@TestProfile(FunctionProfile.ReconcileJob.class)
class ReconcileTest {
    @Inject
    Migrator migrator;
    @Inject
    Db db;
    @Inject
    EarnService earn;

    /** Deliberate corruption needs the owner: the functions' own role cannot UPDATE or DELETE entries. */
    void sql(String statement, Object... args) {
        PostgresResource.owner().inTransaction(tx -> tx.query(statement, args));
    }

    static Set<String> checks(JsonNode report, String member) {
        Set<String> found = new HashSet<>();
        report.get("discrepancies").forEach(d -> {
            if (d.get("memberId").asText().equals(member)) {
                found.add(d.get("check").asText());
            }
        });
        return found;
    }

    @Test
    void cleanThenEachCorruptionIsReported() {
        migrator.migrate();
        String m = "rc-" + UUID.randomUUID().toString().substring(0, 8);
        earn.earn(new EarnCommand(m, 100, "PURCHASE", "r1", null, null));
        earn.earn(new EarnCommand(m, 50, "BONUS", "r2", null, null));
        JsonNode clean = Lambda.invoke(Lambda.sample("scheduled/reconcile.json"));
        assertEquals(0, clean.get("discrepancyCount").asLong(), clean.toString());
        assertTrue(clean.get("finished").asBoolean());

        sql("UPDATE accounts SET balance = balance + 1 WHERE member_id = $1", m);
        JsonNode balance = Lambda.invoke(Lambda.sample("scheduled/reconcile.json"));
        assertTrue(checks(balance, m).containsAll(Set.of("BALANCE_EQUALS_ENTRY_SUM", "BALANCE_EQUALS_LOT_SUM",
                "ACCOUNT_MATCHES_LAST_ENTRY")), balance.toString());
        sql("UPDATE accounts SET balance = balance - 1 WHERE member_id = $1", m);

        sql("UPDATE ledger_entries SET balance_after = balance_after + 3 WHERE member_id = $1 AND sequence = 1", m);
        JsonNode chain = Lambda.invoke(Lambda.sample("scheduled/reconcile.json"));
        assertTrue(checks(chain, m).contains("BALANCE_AFTER_CHAIN"), chain.toString());
        sql("UPDATE ledger_entries SET balance_after = balance_after - 3 WHERE member_id = $1 AND sequence = 1", m);

        UUID second = db.read(tx -> tx.query("SELECT entry_id FROM ledger_entries WHERE member_id = $1 AND sequence = 2", m)
                .iterator().next().getUUID(0));
        sql("ALTER TABLE lots DROP CONSTRAINT lots_member_id_source_entry_id_fkey");
        sql("DELETE FROM ledger_entries WHERE member_id = $1 AND entry_id = $2", m, second);
        JsonNode deleted = Lambda.invoke(Lambda.sample("scheduled/reconcile.json"));
        assertTrue(checks(deleted, m).containsAll(Set.of("BALANCE_EQUALS_ENTRY_SUM", "ACCOUNT_MATCHES_LAST_ENTRY")),
                deleted.toString());
        assertTrue(deleted.get("discrepancies").toString().contains("SYSTEM_TOTALS"), deleted.toString());
        // Leave the database consistent for whoever runs next.
        sql("DELETE FROM lots WHERE member_id = $1", m);
        sql("DELETE FROM ledger_entries WHERE member_id = $1", m);
        sql("DELETE FROM qualifying_days WHERE member_id = $1", m);
        sql("DELETE FROM member_tier_history WHERE member_id = $1", m);
        sql("DELETE FROM member_tiers WHERE member_id = $1", m);
        sql("DELETE FROM accounts WHERE member_id = $1", m);
        sql("ALTER TABLE lots ADD CONSTRAINT lots_member_id_source_entry_id_fkey FOREIGN KEY (member_id, source_entry_id)"
                + " REFERENCES ledger_entries (member_id, entry_id)");
        assertEquals(0, Lambda.invoke(Lambda.sample("scheduled/reconcile.json")).get("discrepancyCount").asLong());
    }

    @Test
    void incrementalModeChecksOnlyMembersThatMovedSinceTheCheckpoint() {
        migrator.migrate();
        com.fasterxml.jackson.databind.node.ObjectNode event = Lambda.sample("scheduled/reconcile.json");
        event.putObject("detail").put("mode", "incremental");
        // An old member, quiet for an hour, with a corruption only a full run can see.
        String old = "old-" + UUID.randomUUID().toString().substring(0, 8);
        earn.earn(new EarnCommand(old, 10, "PURCHASE", "o1", null, null));
        sql("UPDATE accounts SET balance = balance + 1, updated_at = now() - interval '1 hour' WHERE member_id = $1", old);
        Lambda.invoke(event); // sets the checkpoint
        String m = "inc-" + UUID.randomUUID().toString().substring(0, 8);
        earn.earn(new EarnCommand(m, 10, "PURCHASE", "i1", null, null));
        JsonNode report = Lambda.invoke(event);
        assertEquals("incremental", report.get("mode").asText());
        assertTrue(report.get("membersChecked").asLong() >= 1, report.toString());
        assertEquals(0, report.get("discrepancyCount").asLong(), "the quiet member is not re-checked");
        assertTrue(report.get("finished").asBoolean());
        assertTrue(checks(Lambda.invoke(Lambda.sample("scheduled/reconcile.json")), old).contains("BALANCE_EQUALS_ENTRY_SUM"),
                "the full run still sees it");
        sql("UPDATE accounts SET balance = balance - 1 WHERE member_id = $1", old);
    }
}
