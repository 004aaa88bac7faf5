package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.reports.ProgramReports;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each report's one statement can reach its rows through the time indexes of V17 and V21: with
 * sequential scans priced out ({@code enable_seqscan = off}; the test database is too small for
 * the planner to prefer an index on its own), every scan of ledger_entries, business_events and
 * redemptions by time is an index scan on the report's index, never a sequential scan, and the
 * window's bounds are the index condition. (The plan on real data is the bench's to show.)
 */
@QuarkusTest
@TestProfile(FunctionProfile.Reports.class)
class ReportPlansTest extends LedgerTestSupport {
    @Inject
    Db db;

    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-02-01T00:00:00Z");

    record Scan(String type, String relation, String index, String cond) {
    }

    List<Scan> plan(String sql, Object... args) {
        return db.read(tx -> {
            tx.query("SET enable_seqscan = off");
            try {
                JsonNode plan = Lambda.JSON.readTree(tx.query("EXPLAIN (FORMAT JSON) " + sql, args).iterator().next().getValue(0).toString());
                List<Scan> scans = new ArrayList<>();
                collect(plan.get(0).get("Plan"), scans);
                return scans;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                tx.query("RESET enable_seqscan");
            }
        });
    }

    static void collect(JsonNode node, List<Scan> out) {
        if (node.has("Relation Name")) {
            out.add(new Scan(node.path("Node Type").asText(), node.path("Relation Name").asText(),
                    node.path("Index Name").asText(""), node.path("Index Cond").asText("")));
        }
        if (node.path("Node Type").asText().equals("Bitmap Index Scan")) {
            out.add(new Scan("Bitmap Index Scan", "", node.path("Index Name").asText(""), node.path("Index Cond").asText("")));
        }
        node.path("Plans").forEach(c -> collect(c, out));
    }

    /** The scans of {@code relation} by time use {@code index} with the window in its condition; none is sequential. */
    static void byTimeIndex(String report, List<Scan> scans, String relation, String index, String column) {
        assertTrue(scans.stream().noneMatch(s -> s.type().equals("Seq Scan")), report + ": no sequential scan: " + scans);
        List<Scan> timed = scans.stream().filter(s -> s.index().equals(index)).toList();
        assertTrue(!timed.isEmpty(), report + ": " + relation + " is read through " + index + ": " + scans);
        timed.forEach(s -> assertTrue(s.cond().contains(column + " >=") && s.cond().contains(column + " <"),
                report + ": the window bounds the index scan: " + s));
    }

    @Test
    void everyReportReadsItsWindowThroughItsTimeIndex() {
        // Activity and funnel with rolled days [Jan 11, Jan 21): the ledger outside them, and inside
        // them only what was recorded since the watermark (the recording-time index).
        Instant r1 = Instant.parse("2026-01-11T00:00:00Z");
        Instant r2 = Instant.parse("2026-01-21T00:00:00Z");
        java.time.LocalDate d1 = java.time.LocalDate.parse("2026-01-11");
        java.time.LocalDate re = java.time.LocalDate.parse("2026-01-21");
        byTimeIndex("activity", plan(ProgramReports.ACTIVITY_SQL, FROM, TO, "UTC", "day", 50_001, r1, r2, TO, d1, re),
                "ledger_entries", "ledger_entries_occurred_cover_idx", "occurred_at");
        List<Scan> funnel = plan(ProgramReports.FUNNEL_SQL, FROM, TO, "UTC", r1, r2, TO, d1, re);
        byTimeIndex("funnel", funnel, "ledger_entries", "ledger_entries_occurred_cover_idx", "occurred_at");
        byTimeIndex("funnel", funnel, "redemptions", "redemptions_created_idx", "created_at");
        byTimeIndex("redemption-by-type", plan(ProgramReports.REDEMPTION_BY_TYPE_SQL, FROM, TO, 50_001),
                "ledger_entries", "ledger_entries_occurred_cover_idx", "occurred_at");
        byTimeIndex("experiments", plan(ProgramReports.EXPERIMENT_SQL, FROM, TO, "exp-1", 100),
                "business_events", "business_events_occurred_idx", "occurred_at");
        byTimeIndex("anomalies", plan(ProgramReports.DAILY_ISSUED_SQL, FROM, TO, "UTC", 410),
                "ledger_entries", "ledger_entries_occurred_cover_idx", "occurred_at");
    }

    @Test
    void theSqlTakesNoMemberKeyedPathOutsideItsWindow() {
        Map<String, String> sql = Map.of("activity", ProgramReports.ACTIVITY_SQL, "funnel", ProgramReports.FUNNEL_SQL,
                "by type", ProgramReports.REDEMPTION_BY_TYPE_SQL, "experiments", ProgramReports.EXPERIMENT_SQL,
                "anomalies", ProgramReports.DAILY_ISSUED_SQL);
        sql.forEach((name, s) -> {
            assertTrue(s.contains("LIMIT $") || name.equals("funnel"), name + " has a row limit (the funnel answers one row)");
            assertTrue(s.contains(">= $1") && s.contains("< $2"), name + " is bounded by the window [$1, $2)");
        });
    }
}
