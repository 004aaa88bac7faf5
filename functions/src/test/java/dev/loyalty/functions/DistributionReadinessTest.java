package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.core.spend.AdjustCommand;
import dev.loyalty.core.spend.CaptureCommand;
import dev.loyalty.core.spend.HoldCommand;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.core.spend.ReversalCommand;
import dev.loyalty.core.spend.TransferCommand;
import dev.loyalty.core.spend.VoidCommand;
import dev.loyalty.functions.balance.BalanceQueries;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.spend.Receipts;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import dev.loyalty.functions.store.LedgerStore;
import dev.loyalty.functions.store.Tx;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ready for a PostgreSQL distributed by {@code member_id} (Citus, Aurora Limitless): the
 * migrated schema as pg_catalog shows it, and the statements the hot paths actually run.
 *
 * <ul>
 *   <li>Every table with a {@code member_id} column: member_id NOT NULL, and its primary key,
 *       every unique index (partial ones too) and every foreign key (on both sides, member_id to
 *       member_id) include it, so each is enforceable inside one shard. Every other table is
 *       listed in {@link #REFERENCE_TABLES} with the reason.</li>
 *   <li>Each hot path (earn, redeem, hold, capture, void, reversal, adjustment, balance,
 *       history, statement, a business event, a return) is run through its service with every statement observed: each
 *       names at most one member in its arguments, and in its generic plan
 *       ({@code EXPLAIN (GENERIC_PLAN)}) every scan of a member-keyed table is bounded by an
 *       equality on member_id. A transfer names two members, and its lock statement takes them
 *       in member id order.</li>
 * </ul>
 * The queue's batch path, the sweep and reconcile are multi-member by design (set-based over
 * a batch or a range of members) and are not hot paths in this sense; the README says how they
 * run on a distributed cluster.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Balance.class)
class DistributionReadinessTest extends LedgerTestSupport {
    /** Tables not keyed by member, and why each may be a reference (or coordinator-local) table. */
    static final Map<String, String> REFERENCE_TABLES = Map.of(
            "schema_migrations", "migration bookkeeping, written once per deploy by migrate only",
            "reconcile_checkpoints", "one row per reconcile job (where the last pass stopped), no member data",
            "tier_review_checkpoints", "one row per tier-review job (the run and the last member it handled), no member data",
            "rule_sets", "program configuration: immutable rule set versions, read by every member's events, written by admins",
            "tier_sets", "program configuration: immutable tier set versions, read by every member's tier, written by admins",
            "rewards", "the reward catalog: a few rows read by every member's redemptions; the stock is one row per reward,"
                    + " taken by a conditional decrement last in the redeeming member's transaction",
            "reward_stock_changes", "operators' stock changes, exactly once per (reward, reference); no member data",
            "report_rollup_checkpoints", "one row per program time zone (where report-rollup stands), no member data",
            "report_rollup_days", "report-rollup's totals per closed day, written by the job only, read by the reports",
            "report_rollup_day_types", "report-rollup's totals per closed day and point type, written by the job only");

    /** member_id equal to one value: a parameter, a literal, or the joined row's member_id (plans print casts). */
    static final Pattern MEMBER_EQUALITY = Pattern.compile("member_id\\)?(::text)? = (\\$\\d+|'[^']*'|\\(*[a-z_]+\\.member_id)");
    static final Pattern MEMBER_ANY = Pattern.compile("member_id\\)?(::text)? = ANY");
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Statements this test finds not router-executable and that are knowingly left so, each with
     * why; a finding for anything else fails. None today: the outbox writer numbers a single
     * member's events with {@code member_id = $1} (only a transfer's two members and a queue
     * batch use the set-based form).
     */
    static final Map<String, String> KNOWN = Map.of();

    @Inject
    EarnService earn;
    @Inject
    SpendService spend;
    @Inject
    BalanceQueries queries;
    @Inject
    dev.loyalty.functions.program.EventService events;
    @Inject
    dev.loyalty.functions.program.RuleSets ruleSets;

    static Connection owner() throws SQLException {
        // The simple query protocol: EXPLAIN (GENERIC_PLAN) of a statement with $n placeholders.
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + PostgresResource.server().getPort()
                + "/postgres?preferQueryMode=simple", "postgres", "postgres");
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    static Set<String> memberKeyedTables(Connection c) throws SQLException {
        return new TreeSet<>(strings(c, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'member_id' AND NOT a.attisdropped"
                + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"));
    }

    @Test
    void everyMemberKeyedTableKeepsMemberIdInEveryKeyAndTheRestAreReferenceTables() throws SQLException {
        try (Connection c = owner()) {
            Set<String> all = new TreeSet<>(strings(c, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"));
            Set<String> keyed = memberKeyedTables(c);
            Set<String> others = new TreeSet<>(all);
            others.removeAll(keyed);
            assertEquals(new TreeSet<>(REFERENCE_TABLES.keySet()), others,
                    "a table without member_id must be listed as a reference table, with why");
            assertTrue(keyed.containsAll(List.of("accounts", "ledger_entries", "lots", "entry_allocations", "holds",
                    "parked_messages")), keyed.toString());

            assertEquals(List.of(), strings(c, "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
                    + " AND a.attname = 'member_id' AND NOT a.attnotnull"), "member_id is NOT NULL everywhere");

            // Primary keys and every unique index, constraint-backed or not, partial or not.
            List<String> uniques = strings(c, "SELECT c.relname || '.' || i.relname || ' ' || pg_get_indexdef(i.oid)"
                    + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND x.indisunique AND c.relname = ANY('{" + String.join(",", keyed) + "}')"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'member_id'"
                    + "   AND a.attnum = ANY(x.indkey::smallint[]))");
            assertEquals(List.of(), uniques, "unique keys without member_id cannot be enforced per shard");
            List<String> primaryKeys = strings(c, "SELECT c.relname FROM pg_class c WHERE c.relname = ANY('{"
                    + String.join(",", keyed) + "}') AND c.relnamespace = 'public'::regnamespace"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')");
            assertEquals(List.of(), primaryKeys, "every member-keyed table has a primary key");

            // Foreign keys: member_id on the referencing side maps to member_id on the referenced side.
            List<String> foreignKeys = strings(c, "SELECT k.conname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k"
                    + " JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace"
                    + " AND NOT EXISTS (SELECT 1 FROM generate_subscripts(k.conkey, 1) s"
                    + "   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[s] AND a.attname = 'member_id'"
                    + "   JOIN pg_attribute f ON f.attrelid = k.confrelid AND f.attnum = k.confkey[s] AND f.attname = 'member_id')");
            assertEquals(List.of(), foreignKeys, "a foreign key must join member_id to member_id (colocated)");
            assertTrue(Integer.parseInt(strings(c, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                    + " AND connamespace = 'public'::regnamespace").get(0)) >= 3, "the check saw the foreign keys");
        }
    }

    /** One observed statement, and the hot path it belongs to. */
    record Seen(String path, String sql, Object[] args) {
    }

    @Test
    void everyHotPathStatementTouchesOneMemberAndTransfersLockBothInOrder() throws SQLException {
        String a = "dist-b-" + UUID.randomUUID().toString().substring(0, 8);
        String b = "dist-a-" + UUID.randomUUID().toString().substring(0, 8); // sorts before a
        MemberId ma = new MemberId(a);
        MemberId mb = new MemberId(b);
        List<Seen> seen = new ArrayList<>();
        Thread self = Thread.currentThread();
        String[] path = {""};
        Tx.observe((sql, args) -> {
            if (Thread.currentThread() == self) {
                seen.add(new Seen(path[0], sql, args));
            }
        });
        try {
            run(path, "earn (new member)", () -> earn.earn(new EarnCommand(a, 500, "PURCHASE", "e-1", null, null)));
            run(path, "earn", () -> earn.earn(new EarnCommand(a, 50, "BONUS", "e-2", null, null)));
            run(path, "earn of b", () -> earn.earn(new EarnCommand(b, 5, "BONUS", "e-1", null, null)));
            Object redeemed = run(path, "redeem", () -> spend.redeem(ma, new RedeemCommand(20, "r-1", null)));
            UUID redeemId = ((Receipts.Redeemed) ((SpendResult.Done) redeemed).receipt()).transactionId();
            Object held = run(path, "hold", () -> spend.hold(ma, new HoldCommand(30, "h-1", null)));
            UUID holdId = ((Receipts.HoldPlaced) ((SpendResult.Done) held).receipt()).holdId();
            run(path, "capture", () -> spend.capture(ma, new CaptureCommand(holdId, 10L)));
            Object held2 = run(path, "hold", () -> spend.hold(ma, new HoldCommand(5, "h-2", null)));
            UUID hold2 = ((Receipts.HoldPlaced) ((SpendResult.Done) held2).receipt()).holdId();
            run(path, "void", () -> spend.voidHold(ma, new VoidCommand(hold2)));
            run(path, "reversal", () -> spend.reverse(ma, new ReversalCommand(redeemId, 5L, "rv-1", "test")));
            run(path, "adjustment", () -> spend.adjust(ma, new AdjustCommand(-3, "BONUS", "adj-1", "test")));
            run(path, "replay of a redeem", () -> spend.redeem(ma, new RedeemCommand(20, "r-1", null)));
            run(path, "balance", () -> queries.balance(ma, Instant.now()));
            run(path, "history", () -> queries.history(ma, new LedgerStore.HistoryFilter(null, null, null, null), null, 50, true));
            run(path, "statement", () -> queries.statement(ma, Instant.now().minusSeconds(600), Instant.now().plusSeconds(60), 1000, true));
            run(path, "transfer", () -> spend.transfer(ma, new TransferCommand(b, 7, "t-1", null)));
            var rules = (dev.loyalty.core.rules.RuleSetParser.Result.Parsed) ruleSets.parse(
                    new io.vertx.core.json.JsonObject(ReturnsTest.RULES).getMap());
            ruleSets.publish(rules.ruleSet(), null, Instant.now(), "distribution-test");
            run(path, "business event", () -> assertInstanceOf(dev.loyalty.functions.program.EventResult.Recorded.class,
                    events.record(new dev.loyalty.core.rules.BusinessEvent(a, "purchase", "p-1", null, 10_000L, null, null, null))));
            run(path, "return", () -> assertInstanceOf(dev.loyalty.functions.program.EventResult.Recorded.class,
                    events.recordReturn(new dev.loyalty.core.returns.ReturnCommand(a, "ret-1", "p-1", 2_500L, null, null))));
        } finally {
            Tx.observe(null);
        }
        assertTrue(seen.size() > 40, "statements observed: " + seen.size());

        List<String> problems = new ArrayList<>();
        try (Connection c = owner()) {
            Set<String> keyed = memberKeyedTables(c);
            for (Seen s : seen) {
                Set<String> members = new TreeSet<>();
                collect(s.args(), Set.of(a, b), members);
                boolean transfer = s.path().equals("transfer");
                if (members.size() > (transfer ? 2 : 1)) {
                    problems.add(s.path() + ": names " + members + ": " + s.sql());
                }
                if (members.size() == 2 && s.sql().contains("FOR UPDATE") && !s.sql().contains("ORDER BY member_id")) {
                    problems.add(s.path() + ": locks two members without member id order: " + s.sql());
                }
                String plan = strings(c, "EXPLAIN (GENERIC_PLAN, FORMAT JSON) " + s.sql()).get(0);
                List<String> found = new ArrayList<>();
                scans(JSON.readTree(plan).get(0).get("Plan"), keyed, s, found);
                String known = KNOWN.keySet().stream().filter(k -> s.sql().startsWith(k)).findFirst().orElse(null);
                if (known != null && !found.isEmpty()) {
                    System.out.println("DistributionReadinessTest: known, not failed: " + s.path() + ": " + KNOWN.get(known));
                } else {
                    problems.addAll(found);
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        assertEquals(List.of(), problems);
        Set<String> paths = new TreeSet<>();
        seen.forEach(s -> paths.add(s.path()));
        assertEquals(16, paths.size(), paths.toString());
        // The transfer's locks: both accounts, the lower member id first (b sorts before a),
        // whichever way the points go, so opposite transfers cannot deadlock.
        List<String> locked = new ArrayList<>();
        seen.stream().filter(s -> s.path().equals("transfer") && s.sql().contains("FROM accounts")
                && s.sql().contains("FOR UPDATE")).forEach(s -> {
                    Set<String> m = new TreeSet<>();
                    collect(s.args(), Set.of(a, b), m);
                    locked.addAll(m);
                });
        assertEquals(List.of(b, a), locked, "the transfer locks both accounts, lower member id first");
    }

    static Object run(String[] path, String name, Supplier<Object> work) {
        path[0] = name;
        Object result = work.get();
        if (result instanceof EarnResult r) {
            assertInstanceOf(EarnResult.Applied.class, r, name);
        }
        if (result instanceof SpendResult r) {
            assertInstanceOf(SpendResult.Done.class, r, name);
        }
        return result;
    }

    static void collect(Object value, Set<String> ours, Set<String> out) {
        if (value instanceof Object[] array) {
            for (Object o : array) {
                collect(o, ours, out);
            }
        } else if (value instanceof Collection<?> list) {
            list.forEach(o -> collect(o, ours, out));
        } else if (value instanceof String s && ours.contains(s)) {
            out.add(s);
        }
    }

    /** Every scan of a member-keyed table must carry an equality on member_id in its own conditions. */
    static void scans(JsonNode node, Set<String> keyed, Seen s, List<String> problems) {
        String relation = node.path("Relation Name").asText(null);
        String type = node.path("Node Type").asText();
        if (relation != null && keyed.contains(relation) && !type.equals("ModifyTable")) {
            StringBuilder conditions = new StringBuilder();
            for (String k : List.of("Index Cond", "Recheck Cond", "Filter", "TID Cond")) {
                conditions.append(node.path(k).asText("")).append(' ');
            }
            boolean transferLock = s.path().equals("transfer") && MEMBER_ANY.matcher(conditions).find();
            if (!transferLock && !MEMBER_EQUALITY.matcher(conditions).find() && !childIndexBoundsMember(node)) {
                problems.add(s.path() + ": " + type + " on " + relation + " is not bounded by member_id (" + conditions.toString().trim()
                        + "): " + s.sql());
            }
        }
        for (JsonNode child : node.path("Plans")) {
            scans(child, keyed, s, problems);
        }
    }

    /** A bitmap heap scan's member bound sits on its bitmap index scan child. */
    static boolean childIndexBoundsMember(JsonNode node) {
        for (JsonNode child : node.path("Plans")) {
            if (MEMBER_EQUALITY.matcher(child.path("Index Cond").asText("")).find() || childIndexBoundsMember(child)) {
                return true;
            }
        }
        return false;
    }
}
