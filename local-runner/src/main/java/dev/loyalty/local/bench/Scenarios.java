package dev.loyalty.local.bench;

import dev.loyalty.local.LocalSystem;
import dev.loyalty.local.Seeder;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static dev.loyalty.local.bench.Bench.f;
import static dev.loyalty.local.bench.Bench.ms;

/**
 * The scenarios in the order they run on one system: baselines first, then the load scenarios
 * (queue earn, API earn, redeem contention), then the seeded data set for reads, sweep and
 * reconcile, then peak RSS (after the load) and start-up (separate JVMs, the rest idle).
 */
final class Scenarios {
    /** The balance read target: p99 at most this many milliseconds. */
    static final double BALANCE_P99_TARGET_MS = 10;
    static final double STARTUP_TARGET_MS = 700;
    static final double RSS_TARGET_MB = 180;
    /** API earn p50 at most this multiple of the floor (pgbench 1-client + two conditional PutItems). */
    static final double API_EARN_P50_TARGET = 2;
    /** The link latency the second pass of the write scenarios adds, each way. */
    static final long LINK_DELAY_MICROS = 500;
    static final List<String> FUNCTIONS = List.of("earn", "earn-queue", "redeem", "balance", "reports", "expire-sweep",
            "reconcile", "tier-review", "migrate");

    private final LocalSystem system;
    private final Path root;
    private final Path home;
    private final Path jar;
    private final Bench.Plan plan;
    private final List<Row> rows;
    private final FrontDoorClient api;
    private Baselines.Pgbench pg1;
    private Histogram put;
    private final DelayProxy proxy;

    /** The step names to run (empty: all); see {@link Bench#run}. */
    private final List<String> only;
    private static final List<String> ON_THE_DATA_SET = List.of("balance and history reads", "program reports",
            "expire-sweep", "reconcile", "tier-review", "start-up");

    Scenarios(LocalSystem system, Path root, Path home, Path jar, Bench.Plan plan, List<Row> rows, DelayProxy proxy,
              List<String> only) {
        this.only = only;
        for (String name : only) {
            if (!STEPS.contains(name)) {
                throw new IllegalArgumentException("no scenario \"" + name + "\"; the scenarios: " + STEPS);
            }
        }
        this.proxy = proxy;
        this.system = system;
        this.root = root;
        this.home = home;
        this.jar = jar;
        this.plan = plan;
        this.rows = rows;
        this.api = new FrontDoorClient(system.port(), system.jwt().mint("bench", List.of("points:admin"), Instant.now()));
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs one scenario; a failure becomes a FAILED row and the next scenario runs. */
    private void step(String name, Step step) {
        boolean chosen = only.isEmpty() || only.contains(name) || name.equals("baselines")
                || name.equals("seed") && only.stream().anyMatch(ON_THE_DATA_SET::contains);
        if (!chosen) {
            return;
        }
        System.out.println("bench: " + name + "...");
        long t = System.nanoTime();
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            rows.add(Row.failed(name, String.valueOf(e.getMessage())));
        }
        System.out.printf("bench: %s done in %.1f s%n", name, (System.nanoTime() - t) / 1e9);
    }

    /** Every step's name, in the order they run. */
    static final List<String> STEPS = List.of("baselines", "queue earn", "business events", "API earn latency",
            "outbox cost", "redeem contention", "database round trips", "write path with 0.5 ms link latency", "seed",
            "balance and history reads", "program reports", "expire-sweep", "reconcile", "tier-review", "peak RSS", "start-up");

    void runAll() {
        step("baselines", this::baselines);
        if (pg1 == null || put == null) {
            return; // nothing to hold the scenarios against
        }
        step("queue earn", this::queueEarn);
        step("business events", this::businessEvents);
        step("API earn latency", this::apiEarn);
        step("outbox cost", this::outboxCost);
        step("redeem contention", this::redeemContention);
        step("database round trips", this::roundTrips);
        step("write path with 0.5 ms link latency", this::withLinkLatency);
        boolean[] seeded = {false};
        step("seed", () -> {
            seed();
            seeded[0] = true;
        });
        if (seeded[0]) {
            step("balance and history reads", this::reads);
            step("program reports", this::reports);
            step("expire-sweep", this::sweep);
            step("reconcile", this::reconcile);
            step("tier-review", this::tierReview);
        }
        step("peak RSS", this::peakRss);
        if (seeded[0]) {
            step("start-up", this::startup);
        }
    }

    private void baselines() throws Exception {
        Baselines.initPgbench(system.databasePort());
        pg1 = Baselines.pgbench(system.databasePort(), 1, plan.pgbenchSeconds(), home);
        rows.add(Row.baseline("baseline: pgbench -b tpcb-like, 1 client", f("%.0f tps", pg1.tps()),
                "latency " + Latency.summary(pg1.latency())));
        put = Baselines.conditionalPut(system, plan.dynamoPuts());
        rows.add(Row.baseline("baseline: DynamoDB conditional PutItem alone (dynalite)", Latency.summary(put),
                "attribute_not_exists(pk), new key each"));
    }

    private void queueEarn() throws Exception {
        for (int batch : new int[]{10, 100}) {
            double earnsPerSecond = ApiScenarios.queueEarns(system, batch, plan.seconds());
            rows.add(Row.ratio("queue earn, SQS batches of " + batch + (batch == 100 ? " (batching window)" : "") + ", 1 client",
                    f("%.0f earns/s", earnsPerSecond), f("pgbench tpcb-like 1 client %.0f tps", pg1.tps()),
                    earnsPerSecond / pg1.tps()).atLeast(3));
        }
    }

    /**
     * Business events (issue 16) against direct earns in the same run: the queue with batches of
     * 100 (events vs earns, back to back), and the API with one client (events vs earns, the same
     * number of requests). Target: events at least 0.8x of direct earns.
     */
    private void businessEvents() throws Exception {
        ApiScenarios.expect(api.put("/program/rules", ApiScenarios.BENCH_RULES), 201, "publish the bench's rule set");
        double earns = ApiScenarios.queueEarns(system, 100, plan.seconds());
        double events = ApiScenarios.queueEvents(system, 100, plan.seconds());
        rows.add(Row.ratio("queue business events, SQS batches of 100, 1 client", f("%.0f events/s", events),
                f("queue direct earns, batches of 100, same run: %.0f earns/s", earns), events / earns).atLeast(0.8));
        String run = java.util.UUID.randomUUID().toString().substring(0, 8);
        int n = plan.earnRequestsC1();
        for (int i = 0; i < 10; i++) { // warm-up, not recorded
            ApiScenarios.expect(api.event("ev-w" + run, 10_000), 201, "event (warm-up)");
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ApiScenarios.expect(api.earn("ed" + run + "-" + (i % 50), 1), 201, "earn");
        }
        double earnRate = n / ((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ApiScenarios.expect(api.event("ev" + run + "-" + (i % 50), 100), 201, "event");
        }
        double eventRate = n / ((System.nanoTime() - t1) / 1e9);
        rows.add(Row.ratio("API business events, 1 client (" + n + " requests)", f("%.0f events/s", eventRate),
                f("API direct earns, 1 client, same run: %.0f earns/s", earnRate), eventRate / earnRate).atLeast(0.8));
    }

    /** The floor of an API write: one durable single-client transaction plus the claim and the completion. */
    private double floorMs(double percentile) {
        return Latency.ms(pg1.latency(), percentile) + 2 * Latency.ms(put, percentile);
    }

    private void apiEarn() throws Exception {
        apiEarn("");
    }

    private void apiEarn(String label) throws Exception {
        Histogram pg = pg1.latency();
        String baseline = f("floor = pgbench 1-client + 2 PutItems: p50 %s, p99 %s, p99.9 %s",
                Latency.fmt(floorMs(50)), Latency.fmt(floorMs(99)), Latency.fmt(floorMs(99.9)));
        for (int clients : label.isEmpty() ? new int[]{1, 8} : new int[]{1}) {
            java.time.Instant started = java.time.Instant.now();
            FrontDoorClient.LoadResult r = clients == 1
                    ? ApiScenarios.earnLatency(api, 1, plan.earnRequestsC1(), plan.loadLimit())
                    : ApiScenarios.earnLatency(api, clients, plan.earnRequestsPerClientC8(), plan.loadLimit());
            Histogram h = r.latency();
            double[] ratios = new double[3];
            double[] percentiles = {50, 99, 99.9};
            for (int i = 0; i < 3; i++) {
                ratios[i] = Latency.ms(h, percentiles[i]) / floorMs(percentiles[i]);
            }
            double overheadMs = Latency.ms(h, 50) - floorMs(50);
            Row row = Row.ratio(f("API earn latency, %d client%s (%d earn JVM%s)%s", clients, clients == 1 ? "" : "s",
                            plan.earnInstances(), plan.earnInstances() == 1 ? "" : "s", label),
                    Latency.summary(h) + f(", %.0f earns/s; p50 over the floor: %s", r.perSecond(), Latency.fmt(overheadMs)),
                    baseline, ratios[0]);
            Row withRatios = new Row(row.scenario(), row.figure(), row.baseline(), ratios[0],
                    f("p50 %s, p99 %s, p99.9 %s", Row.x(ratios[0]), Row.x(ratios[1]), Row.x(ratios[2])),
                    null, null, Double.NaN, false);
            rows.add(clients == 1 && label.isEmpty() ? withRatios.atMost(API_EARN_P50_TARGET) : withRatios);
            if (label.isEmpty()) {
                publishLag(clients, started);
            }
        }
    }

    private void redeemContention() throws Exception {
        int clients = plan.redeemClients();
        Baselines.Pgbench pg16 = Baselines.pgbench(system.databasePort(), clients, plan.pgbenchSeconds(), home);
        // Spread, hot, then spread again, reporting the second: the first run of a JVM set pays for
        // its compilation (C1 only, as on Lambda), which made 16 members look slower than 1 hot one.
        ApiScenarios.Contention cold = ApiScenarios.redeemContention(api, clients, clients, plan.redeemsPerClient(), plan.loadLimit());
        ApiScenarios.Contention hot = ApiScenarios.redeemContention(api, clients, 1, plan.redeemsPerClient(), plan.loadLimit());
        ApiScenarios.Contention spread = ApiScenarios.redeemContention(api, clients, clients, plan.redeemsPerClient(), plan.loadLimit());
        rows.add(Row.info(f("redeem, %d clients on %d members, first (cold) run", clients, clients),
                f("%.0f redeems/s", cold.perSecond()), "not compared: JVMs still compiling"));
        String jvms = plan.redeemInstances() + " redeem JVMs";
        rows.add(Row.ratio(f("redeem, %d clients on %d members (%s)", clients, clients, jvms),
                f("%.0f redeems/s (%d attempts: %d redeemed, %d INSUFFICIENT_POINTS; no overdraw)", spread.perSecond(),
                        spread.attempts(), spread.redeemed(), spread.refused()),
                f("pgbench tpcb-like %d clients %.0f tps", clients, pg16.tps()), spread.perSecond() / pg16.tps()));
        rows.add(Row.ratio(f("redeem, %d clients on 1 hot member (%s)", clients, jvms),
                f("%.0f redeems/s (%d attempts: %d redeemed, %d INSUFFICIENT_POINTS; no overdraw), p99 %s", hot.perSecond(),
                        hot.attempts(), hot.redeemed(), hot.refused(), ms(hot.latency(), 99)),
                f("the same on %d members: %.0f redeems/s", clients, spread.perSecond()), hot.perSecond() / spread.perSecond()));
        // Issue 19: a flash sale on one reward against plain redeems spread over as many members as clients.
        int members = plan.quick() ? 200 : 2_000;
        int attempts = plan.quick() ? 1_000 : 10_000;
        ApiScenarios.FlashSale sale = ApiScenarios.flashSale(api, clients, members, attempts, 100, plan.loadLimit());
        rows.add(Row.ratio(f("flash sale: %d redemption attempts from %d members on 1 reward, stock 100, %d clients (%s)",
                        attempts, members, clients, jvms),
                f("%.0f attempts/s, p99 %s (%d attempts: exactly %d redeemed, %d OUT_OF_STOCK, %d at the limit;"
                        + " stock 0, every loser kept its points)", sale.perSecond(), ms(sale.latency(), 99), sale.attempts(),
                        sale.won(), sale.outOfStock(), sale.limitReached()),
                f("redeem, %d clients on %d members: %.0f redeems/s", clients, clients, spread.perSecond()),
                sale.perSecond() / spread.perSecond()).atLeast(0.5));
    }

    /** The outbox's cost on the write (issue 15): at most this multiple of the same write without it, p50. */
    static final double OUTBOX_P50_TARGET = 1.10;

    /**
     * Events out against no events (issue 15): the API earn, 1 client, with the earn JVMs
     * restarted three ways: without the outbox (the benchmark-only switch: no domain events),
     * with the outbox published by the relay only, and as deployed (the outbox plus the publish
     * right after commit, which the client waits for). Each variant gets fresh JVMs, the same
     * warm-up and the same requests; the variants alternate over rounds so drift on a noisy
     * machine falls on all of them. The earn JVMs are restored to the deployed settings after.
     */
    private void outboxCost() throws Exception {
        record Variant(String tag, String label, java.util.Map<String, String> env, Histogram latency) {
        }
        List<Variant> variants = List.of(
                new Variant("without-outbox", "without the outbox (no domain events; the baseline)",
                        java.util.Map.of("LOYALTY_BENCH_WITHOUT_OUTBOX", "true"), Latency.histogram()),
                new Variant("relay-only", "outbox written, published by the relay only",
                        java.util.Map.of("LOYALTY_EVENTS_PUBLISH_AFTER_COMMIT", "false"), Latency.histogram()),
                new Variant("deployed", "outbox written and published right after commit (as deployed)",
                        java.util.Map.of(), Latency.histogram()));
        int rounds = plan.quick() ? 1 : 3;
        int requests = plan.quick() ? plan.earnRequestsC1() : plan.earnRequestsC1() / 2;
        int jvms = plan.earnInstances();
        String run = java.util.UUID.randomUUID().toString().substring(0, 8);
        try {
            for (int round = 0; round < rounds; round++) {
                for (Variant v : variants) {
                    system.restartFunction("earn", v.env(), v.tag() + "-" + round);
                    // Every JVM its share of warm-up (C1 only, as on Lambda), then one client.
                    // Members of their own per variant and round: a relay-only round leaves its events
                    // unpublished until the relay's next minute, and a later round on the same members
                    // would first catch that backlog up (the locked path), which is not the write's cost.
                    String members = run + "-" + v.tag() + "-" + round;
                    FrontDoorClient.load(jvms, plan.quick() ? 10 : 60,
                            (c, i) -> ApiScenarios.expect(api.earn("ow" + members + "-" + c, 1), 201, "earn (warm-up)"));
                    FrontDoorClient.LoadResult r = FrontDoorClient.load(1, requests, plan.loadLimit(),
                            (c, i) -> ApiScenarios.expect(api.earn("oc" + members + "-" + (i % 50), 1), 201, "earn"));
                    v.latency().add(r.latency());
                }
            }
        } finally {
            system.restartFunction("earn", java.util.Map.of(), "restored");
        }
        Variant without = variants.get(0);
        double base50 = Latency.ms(without.latency(), 50);
        double base99 = Latency.ms(without.latency(), 99);
        String baseline = f("the same write without the outbox, same run: %s", Latency.summary(without.latency()));
        rows.add(Row.baseline("events out: API earn " + without.label() + f(", 1 client, %d round%s of fresh JVMs",
                rounds, rounds == 1 ? "" : "s"), Latency.summary(without.latency()), "benchmark-only switch LOYALTY_BENCH_WITHOUT_OUTBOX"));
        for (Variant v : variants.subList(1, variants.size())) {
            double r50 = Latency.ms(v.latency(), 50) / base50;
            Row row = Row.ratio("events out: API earn, " + v.label() + ", 1 client", Latency.summary(v.latency())
                            + f("; p50 +%s", Latency.fmt(Latency.ms(v.latency(), 50) - base50)), baseline, r50);
            Row shown = new Row(row.scenario(), row.figure(), row.baseline(), r50,
                    f("p50 %s, p99 %s", Row.x(r50), Row.x(Latency.ms(v.latency(), 99) / base99)), null, null, Double.NaN, false);
            rows.add(v.tag().equals("deployed") ? shown.atMost(OUTBOX_P50_TARGET) : shown);
        }
    }

    /**
     * Events out under the API earn load: from the write's recordedAt (inside its transaction,
     * a round trip before the commit) to the PutEvents stand-in accepting the entry, for the
     * points.earned events of the scenario just run.
     */
    private void publishLag(int clients, java.time.Instant started) throws Exception {
        Thread.sleep(500); // the last answers' publishes land
        Histogram lag = Latency.histogram();
        for (var r : system.eventBus().received()) {
            if (!"points.earned".equals(r.detailType())) {
                continue;
            }
            java.time.Instant recorded = java.time.Instant.parse(r.detail().path("recordedAt").asText());
            if (recorded.isBefore(started)) {
                continue;
            }
            Latency.record(lag, java.time.Duration.between(recorded, r.receivedAt()).toNanos());
        }
        if (lag.getTotalCount() == 0) {
            throw new IllegalStateException("no points.earned event reached the PutEvents stand-in");
        }
        rows.add(Row.info(f("events out: publish lag under the API earn load, %d client%s", clients, clients == 1 ? "" : "s"),
                f("p50 %s, p99 %s (n=%d)", ms(lag, 50), ms(lag, 99), lag.getTotalCount()),
                "recordedAt (in the write's transaction) to PutEvents accepted, published right after commit"));
    }

    /** Round trips per write, as each function counted and logged them ("dbRoundTrips=N" per request). */
    private void roundTrips() throws Exception {
        java.util.Map<String, java.util.TreeMap<Integer, Integer>> byRoute = new java.util.TreeMap<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("route=(POST \\S+).*request done: status=(\\d+) replayed=false.*dbRoundTrips=(\\d+)");
        try (var files = java.nio.file.Files.list(home.resolve("logs"))) {
            for (Path log : files.filter(p -> p.getFileName().toString().matches("(earn|redeem)(-\\d+)?\\.log")).toList()) {
                for (String l : java.nio.file.Files.readAllLines(log)) {
                    var m = line.matcher(l);
                    if (m.find() && m.group(2).startsWith("2")) {
                        byRoute.computeIfAbsent(m.group(1), k -> new java.util.TreeMap<>())
                                .merge(Integer.parseInt(m.group(3)), 1, Integer::sum);
                    }
                }
            }
        }
        if (byRoute.isEmpty()) {
            throw new IllegalStateException("no request logs with dbRoundTrips under " + home.resolve("logs"));
        }
        StringBuilder figure = new StringBuilder();
        byRoute.forEach((route, counts) -> figure.append(figure.isEmpty() ? "" : "; ").append(route).append(": ")
                .append(counts.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " requests)")
                        .collect(java.util.stream.Collectors.joining(", "))));
        int worst = byRoute.values().stream().mapToInt(java.util.TreeMap::lastKey).max().orElse(0);
        rows.add(Row.info("database round trips per successful API write (counted in the code path, from the request logs)",
                figure.toString(), f("physical minimum 2 (BEGIN + locked reads; writes + COMMIT); worst seen %d", worst)));
    }

    /** The API earn and redeem scenarios again with 0.5 ms added each way between the functions and PostgreSQL. */
    private void withLinkLatency() throws Exception {
        proxy.delayMicros(LINK_DELAY_MICROS);
        try {
            String label = f(", +%.1f ms each way to PostgreSQL", LINK_DELAY_MICROS / 1000.0);
            apiEarn(label);
            int clients = plan.redeemClients();
            ApiScenarios.Contention spread = ApiScenarios.redeemContention(api, clients, clients, plan.redeemsPerClient(),
                    plan.loadLimit());
            rows.add(Row.info(f("redeem, %d clients on %d members%s", clients, clients, label),
                    f("%.0f redeems/s, p50 %s, p99 %s", spread.perSecond(), ms(spread.latency(), 50), ms(spread.latency(), 99)),
                    "no same-run baseline; expected from 2 round trips x 1 ms of link: about +2 ms a write"));
        } finally {
            proxy.delayMicros(0);
        }
    }

    private void seed() throws Exception {
        Seeder.Result r = Seeder.seed(system.dataSource(), plan.seedMembers(), plan.seedEntriesPerMember());
        try (var c = system.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("VACUUM ANALYZE");
        }
        rows.add(Row.info("data set (seeded, shared by reads, sweep, reconcile, start-up)",
                f("%,d members x %d entries = %,d entries, a third of the lots expired", r.members(),
                        plan.seedEntriesPerMember(), r.entries()),
                f("seeded in %.1f s (set-based SQL)", r.elapsedMs() / 1000.0)));
    }

    private void reads() throws Exception {
        Histogram pg = pg1.latency();
        String baseline = f("pgbench 1-client p99 %s", ms(pg, 99));
        Histogram balance = ApiScenarios.reads(api, plan.seedMembers(), "balance", plan.readRequests(), plan.loadLimit());
        rows.add(Row.ratio(f("balance read (with the tier), 1 client, %,d-member data set", plan.seedMembers()), Latency.summary(balance),
                        baseline, Latency.ms(balance, 99) / Latency.ms(pg, 99))
                .target("p99 ≤ 10 ms", Latency.ms(balance, 99) <= BALANCE_P99_TARGET_MS));
        Histogram history = ApiScenarios.reads(api, plan.seedMembers(), "transactions?limit=50", plan.readRequests(), plan.loadLimit());
        rows.add(Row.ratio(f("history read (50 entries), 1 client, %,d-member data set", plan.seedMembers()),
                Latency.summary(history), baseline, Latency.ms(history, 99) / Latency.ms(pg, 99)));
    }

    /**
     * One call of each program report at a time (1 client) over the last 7 days of the seeded
     * data set (two thirds of its entries lie there), p99 per report, after the report-rollup
     * job has rolled the closed days up (as its schedule keeps them). No target: the issue asks for
     * the figure; the baseline is the balance read's, for scale.
     */
    private void reports() throws Exception {
        // What the 15-minute schedule keeps done: the closed days rolled up (activity and funnel
        // read the rollup for them and the ledger for the rest).
        LedgerJobs.Timed rolled = LedgerJobs.reportRollup(system, root);
        rows.add(Row.info(f("report-rollup of the %,d-member data set (every closed day, once)", plan.seedMembers()),
                f("%,d entries in %.1f s", rolled.count(), rolled.seconds()),
                "scheduled every 15 min; then only new closed days and late entries"));
        Instant now = Instant.now();
        String window = "from=" + now.minus(java.time.Duration.ofDays(7)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + "&to=" + now.plus(java.time.Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int calls = plan.quick() ? 5 : 20;
        java.util.Map<String, String> reports = new java.util.LinkedHashMap<>();
        reports.put("activity (DAY)", "/reports/activity?bucket=DAY&");
        reports.put("funnel", "/reports/funnel?");
        reports.put("redemption-by-type", "/reports/redemption-by-type?");
        reports.put("experiments/{id}", "/reports/experiments/bench-exp?");
        reports.put("anomalies", "/reports/anomalies?");
        for (var report : reports.entrySet()) {
            String name = report.getKey();
            String url = report.getValue() + window;
            // One call at a time. A report that outgrows the statement timeout answers 503: that is
            // recorded as a missed target (the figure the issue asks for), not as a broken bench.
            Histogram h = Latency.histogram();
            int unavailable = 0;
            long deadline = System.nanoTime() + plan.loadLimit().multipliedBy(4).toNanos();
            for (int i = 0; i <= calls && System.nanoTime() < deadline; i++) {
                FrontDoorClient.Response r = api.get(url);
                if (r.status() == 503) {
                    unavailable++;
                } else {
                    ApiScenarios.expect(r, 200, url);
                }
                if (i > 0) { // the first call warms the JVM
                    Latency.record(h, r.nanos());
                }
            }
            Row row = Row.info(f("report %s, 7 days of the %,d-member data set, 1 client", name, plan.seedMembers()),
                    f("p50 %s, p99 %s (n=%d)", pct(h, 50), pct(h, 99), h.getTotalCount())
                            + (unavailable > 0 ? f("; %d answered 503 (past the statement timeout)", unavailable) : ""),
                    "one SQL statement (V21 time index; activity and funnel: rollup + open day); p99 of one call");
            rows.add(row.target("answers (no 503)", unavailable == 0));
        }
    }

    private static String pct(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "–" : Latency.fmt(Latency.ms(h, percentile));
    }

    private void sweep() throws Exception {
        Instant now = Instant.now();
        long expected = LedgerJobs.expiredLots(system, now);
        LedgerJobs.copyForRawSweep(system);
        LedgerJobs.Timed raw = LedgerJobs.rawSweep(system, now);
        if (raw.count() != expected) {
            throw new IllegalStateException("raw sweep expired " + raw.count() + " lots, expected " + expected);
        }
        LedgerJobs.Timed sweep = LedgerJobs.sweep(system, root);
        if (sweep.count() != expected) {
            throw new IllegalStateException("expire-sweep expired " + sweep.count() + " lots, expected " + expected);
        }
        long left = LedgerJobs.expiredLots(system, Instant.now());
        if (left != 0) {
            throw new IllegalStateException(left + " expired lots left after the sweep finished");
        }
        rows.add(Row.ratio(f("expire-sweep, %,d expired lots (re-invoked until finished)", expected),
                f("%,.0f lots/s (%.1f s)", sweep.perSecond(), sweep.seconds()),
                f("one set-based statement on table copies: %,.0f lots/s (%.1f s)", raw.perSecond(), raw.seconds()),
                sweep.perSecond() / raw.perSecond()).atLeast(0.5));
    }

    private void reconcile() throws Exception {
        // The raw aggregate before and after, the faster one counts: whichever runs first on a
        // cold cache pays for it, and the baseline should not be the one that pays.
        LedgerJobs.Timed before = LedgerJobs.rawGroupBy(system);
        LedgerJobs.Timed rec = LedgerJobs.reconcile(system, root);
        LedgerJobs.Timed after = LedgerJobs.rawGroupBy(system);
        LedgerJobs.Timed raw = before.seconds() <= after.seconds() ? before : after;
        rows.add(Row.ratio(f("full reconcile, %,d members, no discrepancy (time ratio)", rec.count()),
                f("%.2f s", rec.seconds()), f("raw GROUP BY (entries summed vs balance), best of 2: %.2f s", raw.seconds()),
                rec.seconds() / raw.seconds()).atMost(2));
    }

    /**
     * The bench's tier set: purchases and bonuses qualify. Every seeded member has 70 qualifying
     * points (its BONUS earns of yesterday; its PURCHASE earns are 400 days old); the tier seed
     * gives three in ten more ({@link LedgerJobs#seedTiers}): 70% MEMBER, 20% SILVER, 10% GOLD.
     */
    static final String BENCH_TIERS = """
            {"qualifying":{"window":"ROLLING_12_MONTHS","pointTypes":["PURCHASE","BONUS"]},
             "tiers":[{"name":"MEMBER","threshold":0},{"name":"SILVER","threshold":500,"earnMultiplierBp":12500},
                      {"name":"GOLD","threshold":2000,"earnMultiplierBp":15000}],"downgrade":{"graceDays":30}}""";

    /**
     * The daily tier-review (issue 17) over the seeded data set after a new tier set version,
     * against one raw statement computing every member's qualifying points in the same run.
     * Target: at least 0.5x the raw rate, over all members.
     *
     * <ol>
     *   <li>Seeded, not timed: tier records as the app leaves them after evaluating every member
     *       under the bench's tier set a day ago (70% MEMBER, 20% SILVER, 10% GOLD).</li>
     *   <li>Timed, the first run of a tier-review JVM: a version that raises GOLD to 2,001
     *       (counting points alike). The 70% at MEMBER (points below SILVER's 500) and the 20% at
     *       SILVER (below GOLD's new 2,001, SILVER's threshold unchanged) are settled
     *       ({@code TierDecision.settled}) and not read; the 10% at GOLD are read and decided;
     *       nobody changes. Then a second run must review nobody. The same again with GOLD at
     *       2,002 in a fresh JVM (the GOLD records, left as they were, are read again): the
     *       judged figure is the better of the two first runs, as the raw statement's is the
     *       better of its two runs (daily runs are nearly all a JVM's first, and one first run on
     *       2 shared cores varied from 2.5 s to 3.7 s here).</li>
     *   <li>Shown, not judged, in the second JVM: the same once more (GOLD 2,003); then a version
     *       that counts only purchases, where stored points say nothing and every member is read
     *       and decided.</li>
     * </ol>
     */
    private void tierReview() throws Exception {
        ApiScenarios.expect(api.put("/program/tiers", BENCH_TIERS), 201, "publish the bench's tier set");
        var tiers = switch (dev.loyalty.core.tiers.TierSetParser.parse(LedgerJobs.JSON.readValue(BENCH_TIERS, java.util.Map.class),
                java.util.Set.of("PURCHASE", "BONUS"))) {
            case dev.loyalty.core.tiers.TierSetParser.Result.Parsed p -> p.tierSet();
            case dev.loyalty.core.tiers.TierSetParser.Result.Invalid i -> throw new IllegalStateException(i.toString());
        };
        LedgerJobs.TierSeed seed = LedgerJobs.seedTiers(system, tiers);
        LedgerJobs.Timed before = LedgerJobs.rawQualifying(system, List.of("PURCHASE", "BONUS"));
        LedgerJobs.Timed first = goldRaisedTo(2001, seed);
        system.restartFunction("tier-review", java.util.Map.of(), "fresh");
        LedgerJobs.Timed second = goldRaisedTo(2002, seed);
        LedgerJobs.Timed after = LedgerJobs.rawQualifying(system, List.of("PURCHASE", "BONUS"));
        LedgerJobs.Timed raw = before.seconds() <= after.seconds() ? before : after;
        LedgerJobs.Timed review = first.seconds() <= second.seconds() ? first : second;
        double members = seed.members();
        rows.add(Row.ratio(f("tier-review, first run of a fresh JVM, best of 2 (%.1f s, %.1f s), a version raising GOLD:"
                        + " %,d members (%,d read and decided, the rest settled at MEMBER and SILVER by their stored points)",
                        first.seconds(), second.seconds(), seed.members(), review.count()),
                f("%,.0f members/s (%.1f s)", members / review.seconds(), review.seconds()),
                f("one set-based statement, every member's qualifying points, best of 2: %,.0f members/s (%.2f s)",
                        raw.perSecond(), raw.seconds()),
                (members / review.seconds()) / raw.perSecond()).atLeast(0.5));
        ApiScenarios.expect(api.put("/program/tiers", BENCH_TIERS.replace("\"threshold\":2000", "\"threshold\":2003")), 201,
                "publish one more version");
        LedgerJobs.Timed warm = LedgerJobs.tierReview(system, root);
        rows.add(Row.info(f("tier-review once more, same JVM, GOLD at 2,003 (%,d read)", warm.count()),
                f("%,.0f members/s (%.1f s)", members / warm.seconds(), warm.seconds()),
                f("%.2fx the raw statement above", (members / warm.seconds()) / raw.perSecond())));
        ApiScenarios.expect(api.put("/program/tiers", BENCH_TIERS.replace("[\"PURCHASE\",\"BONUS\"]", "[\"PURCHASE\"]")), 201,
                "publish a version counting purchases only");
        LedgerJobs.Timed every = LedgerJobs.tierReview(system, root);
        rows.add(Row.info(f("tier-review, same JVM, a version counting purchases only: every member read and decided (%,d)",
                        every.count()),
                f("%,.0f members/s (%.1f s)", members / every.seconds(), every.seconds()),
                f("%.2fx the raw statement above", (members / every.seconds()) / raw.perSecond())));
    }

    /**
     * Publishes the bench's tier set with GOLD at {@code gold} and times the tier-review until it
     * finishes; it must read at least the GOLD members, and a second run must review nobody.
     */
    private LedgerJobs.Timed goldRaisedTo(int gold, LedgerJobs.TierSeed seed) throws Exception {
        ApiScenarios.expect(api.put("/program/tiers", BENCH_TIERS.replace("\"threshold\":2000", "\"threshold\":" + gold)),
                201, "publish a version raising GOLD to " + gold);
        LedgerJobs.Timed review = LedgerJobs.tierReview(system, root);
        if (review.count() < seed.gold()) {
            throw new IllegalStateException("tier-review read " + review.count() + " of the " + seed.gold()
                    + " members at GOLD");
        }
        LedgerJobs.Timed again = LedgerJobs.tierReview(system, root);
        if (again.count() != 0) {
            throw new IllegalStateException("a second tier-review reviewed " + again.count() + " members, expected none");
        }
        return review;
    }

    private void peakRss() {
        String worst = null;
        double worstMb = 0;
        for (String function : FUNCTIONS) {
            for (long pid : system.pids(function)) {
                double mb = Startup.peakRssMb(pid);
                if (mb > worstMb) {
                    worstMb = mb;
                    worst = function;
                }
            }
        }
        // The reports JVM served nothing in the run: its peak is a started, idle function JVM.
        double idleMb = system.pids("reports").stream().mapToDouble(Startup::peakRssMb).max().orElse(Double.NaN);
        if (worst == null) {
            rows.add(Row.info("peak RSS of a function JVM", "n/a (no /proc)", ""));
            return;
        }
        rows.add(Row.ratio("peak RSS (VmHWM) of a function JVM after the load scenarios",
                        f("%.0f MB (%s, -XX:MaxRAM=its Lambda memory, -Xmx256m, SerialGC)", worstMb, worst),
                        f("an idle function JVM (reports): %.0f MB", idleMb), worstMb / idleMb)
                .target("≤ 180 MB", worstMb <= RSS_TARGET_MB));
    }

    private void startup() throws Exception {
        double hello = Startup.helloMs(Math.max(3, plan.startupRuns()));
        String member = "seed-00000001";
        for (Startup.Probe probe : List.of(Startup.BALANCE, Startup.PROGRAM_RULES)) {
            for (Startup.Mode mode : Startup.modes(home, probe)) {
                String what = probe == Startup.BALANCE ? "" : " [" + probe.label() + "]";
                if (!Startup.train(system, jar, home, mode, probe, member)) {
                    rows.add(Row.info("start-up to first served request" + what + ", " + mode.name(),
                            "not measured: the training run wrote no archive", "see " + home.resolve("logs")));
                    continue;
                }
                double ms = Startup.firstRequestMs(system, jar, home, mode, probe, member, plan.startupRuns());
                rows.add(Row.ratio("start-up to first served request (" + probe.label() + "), " + mode.name(),
                                f("%.0f ms (median of %d)", ms, plan.startupRuns()),
                                f("hello world, same JVM and flags: %.0f ms", hello), ms / hello)
                        .target("≤ 0.7 s", ms <= STARTUP_TARGET_MS));
            }
        }
    }
}
