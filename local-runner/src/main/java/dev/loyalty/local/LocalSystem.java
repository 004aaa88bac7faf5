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
    static final Set<String> JOBS = Set.of("migrate", "expire-sweep", "reconcile");
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    public static final String IDEMPOTENCY_TABLE = "loyalty-idempotency";
    /** The functions' login user (row rights only, created by migrate); local, not a secret. */
    static final String APP_DB_USER = "loyalty_fn";
    static final String APP_DB_PASSWORD = "local-only-app-password";

    /**
     * {@code root} is the repository (tools/dynalite, infra-terraform/tables); {@code home} holds
     * data and logs. {@code instances}: JVMs per function polling its one Runtime API (Lambda's
     * scale-out; each JVM serves one invocation at a time), 1 for a function not named.
     */
    public record Options(Path root, Path home, int port, Path functionJar, String jwtSecret, boolean persistent,
                          Map<String, Integer> instances) {
        public Options {
            instances = Map.copyOf(instances);
            instances.forEach((name, n) -> {
                if (n < 1 || n > MAX_INSTANCES) {
                    throw new IllegalArgumentException(name + ": instances 1.." + MAX_INSTANCES + ", not " + n);
                }
            });
        }

        /** One JVM per function. */
        public Options(Path root, Path home, int port, Path functionJar, String jwtSecret, boolean persistent) {
            this(root, home, port, functionJar, jwtSecret, persistent, Map.of());
        }

        public int instancesOf(String function) {
            return instances.getOrDefault(function, 1);
        }
    }

    /** JVMs per function at most: each takes ~150 MB and a share of the cores. */
    public static final int MAX_INSTANCES = 32;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, RuntimeApi> functions = new LinkedHashMap<>();
    private final Map<String, List<FunctionProcess>> processes = new LinkedHashMap<>();
    private final Map<String, String> functionEnv;
    private final String dynamoEndpoint;
    private final EmbeddedPostgres postgres;
    private final FrontDoor frontDoor;
    private final Jwt jwt;

    private LocalSystem(Options o) throws IOException, TimeoutException {
        try {
            Files.createDirectories(o.home());
            EmbeddedPostgres.Builder pg = EmbeddedPostgres.builder();
            if (o.persistent()) {
                pg.setDataDirectory(o.home().resolve("pgdata")).setCleanDataDirectory(false);
            }
            postgres = pg.start();
            resources.add(postgres);
            DynamoEmulator dynamo = DynamoEmulator.start(o.root(), o.persistent() ? o.home().resolve("dynamodb") : null);
            resources.add(dynamo);
            dynamo.createTable(o.root().resolve("infra-terraform/tables/idempotency.json"), IDEMPOTENCY_TABLE);
            Map<String, String> env = Map.of(
                    "LOYALTY_DB_URL", "postgresql://localhost:" + postgres.getPort() + "/postgres",
                    "LOYALTY_DB_USER", "postgres",
                    "LOYALTY_DB_PASSWORD", "postgres",
                    "LOYALTY_IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE,
                    "QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamo.endpoint(),
                    "QUARKUS_DYNAMODB_AWS_REGION", "us-east-1",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "local",
                    "QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "local");

            Set<String> names = new LinkedHashSet<>();
            names.add("migrate");
            ApiRoutes.SERVED.stream().map(ApiRoute::function).forEach(names::add);
            names.add("earn-queue");
            names.add("expire-sweep");
            names.add("reconcile");
            functionEnv = env;
            dynamoEndpoint = dynamo.endpoint();
            for (String name : names) {
                RuntimeApi api = new RuntimeApi(name, JOBS.contains(name) ? JOB_INVOCATION_TIMEOUT : INVOCATION_TIMEOUT);
                resources.add(api);
                functions.put(name, api);
                Map<String, String> processEnv = new LinkedHashMap<>(env);
                if (JOBS.contains(name)) {
                    // Jobs scan the whole ledger: a statement may use most of their timeout.
                    processEnv.put("LOYALTY_DB_STATEMENT_TIMEOUT_MS", System.getenv().getOrDefault(
                            "LOYALTY_DB_STATEMENT_TIMEOUT_MS", Long.toString(JOB_INVOCATION_TIMEOUT.toMillis() - 5_000)));
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
                int count = name.equals("migrate") ? 1 : o.instancesOf(name);
                for (int i = 0; i < count; i++) {
                    FunctionProcess p = new FunctionProcess(o.functionJar(), name, api, processEnv,
                            o.home().resolve("logs").resolve(name + (i == 0 ? "" : "-" + i) + ".log"));
                    resources.add(p);
                    processes.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
                }
            }
            for (RuntimeApi api : functions.values()) {
                api.awaitReady(START_TIMEOUT);
                api.awaitPollers(processes.get(api.function()).size(), START_TIMEOUT);
            }
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
            for (String name : names) {
                local.put("/_local/invoke/" + name, functions.get(name)::invoke);
            }
            // {"members": N, "entriesPerMember": K}: a large consistent data set (./loyalty seed).
            local.put("/_local/seed", body -> seed(body));
            frontDoor = new FrontDoor(o.port(), functions, local, jwt);
            resources.add(frontDoor);
        } catch (IOException | TimeoutException | RuntimeException e) {
            close();
            throw e;
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

    public RuntimeApi function(String name) {
        return functions.get(name);
    }

    /** The process ids of a function's JVMs. */
    public List<Long> pids(String function) {
        return processes.getOrDefault(function, List.of()).stream().map(FunctionProcess::pid).toList();
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
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        resources.clear();
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
