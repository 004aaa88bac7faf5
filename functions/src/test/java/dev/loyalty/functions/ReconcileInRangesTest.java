package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full reconcile bounded per invocation: ranges of 7 accounts, 2 at a time, one round per
 * invocation. Each invocation stops unfinished and the next resumes where it stopped; over the
 * pass every account is checked exactly once (no gap, no overlap between ranges), and a
 * corruption anywhere is reported.
 */
@QuarkusTest
@TestProfile(FunctionProfile.ReconcileInRanges.class)
class ReconcileInRangesTest extends LedgerTestSupport {
    @Inject
    EarnService earn;
    @Inject
    Db db;

    @Test
    void aPassSpreadOverInvocationsChecksEveryMemberOnceAndFindsTheCorruption() {
        for (int i = 0; i < 20; i++) {
            earn.earn(new EarnCommand("rng-" + UUID.randomUUID().toString().substring(0, 8), 10 + i, "PURCHASE", "r", null, null));
        }
        String corrupt = "rng-bad-" + UUID.randomUUID().toString().substring(0, 8);
        earn.earn(new EarnCommand(corrupt, 40, "PURCHASE", "r", null, null));
        // A pass left unfinished by an earlier run of the job is not this test's concern.
        PostgresResource.owner().inTransaction(tx -> tx.query("DELETE FROM reconcile_checkpoints WHERE name = 'full'"));
        PostgresResource.owner().inTransaction(tx -> tx.query(
                "UPDATE accounts SET balance = balance + 1 WHERE member_id = $1", corrupt));
        try {
            long accounts = db.read(tx -> tx.one("SELECT count(*) AS n FROM accounts", r -> r.getLong("n")).orElseThrow());
            long checked = 0;
            int invocations = 0;
            List<String> flagged = new ArrayList<>();
            JsonNode report;
            do {
                report = Lambda.invoke(Lambda.sample("scheduled/reconcile.json"));
                invocations++;
                checked += report.get("membersChecked").asLong();
                report.get("discrepancies").forEach(d -> flagged.add(d.get("memberId").asText() + " " + d.get("check").asText()));
                if (!report.get("finished").asBoolean()) {
                    assertTrue(report.get("outstandingPoints").isNull(), "no total from a partial pass");
                    assertTrue(report.get("membersChecked").asLong() <= 14, report.toString());
                }
            } while (!report.get("finished").asBoolean() && invocations < 10_000);
            assertTrue(report.get("finished").asBoolean());
            assertTrue(invocations >= accounts / 14, "bounded work per invocation: " + invocations + " for " + accounts);
            assertEquals(accounts, checked, "every account checked exactly once over the pass");
            assertEquals(List.of(corrupt + " BALANCE_EQUALS_ENTRY_SUM", corrupt + " BALANCE_EQUALS_LOT_SUM",
                    corrupt + " ACCOUNT_MATCHES_LAST_ENTRY"), flagged.stream().filter(f -> f.startsWith(corrupt)).toList());
            assertFalse(flagged.stream().anyMatch(f -> !f.startsWith(corrupt) && !f.startsWith("(")), flagged.toString());
            long cursors = db.read(tx -> tx.one("SELECT count(*) AS n FROM reconcile_checkpoints"
                    + " WHERE name = 'full' AND after_member IS NOT NULL", r -> r.getLong("n")).orElseThrow());
            assertEquals(0, cursors, "a finished pass leaves no cursor");
        } finally {
            PostgresResource.owner().inTransaction(tx -> tx.query(
                    "UPDATE accounts SET balance = balance - 1 WHERE member_id = $1", corrupt));
        }
    }
}
