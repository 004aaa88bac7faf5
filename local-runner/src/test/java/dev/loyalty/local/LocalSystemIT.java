package dev.loyalty.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end, as a user sees it: HTTP with a bearer token, the front door's API Gateway
 * event, each function's packaged artifact in its own JVM behind the Lambda Runtime API,
 * and a real PostgreSQL.
 */
class LocalSystemIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path home;
    static LocalSystem system;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("repo.root", ".."));
        system = LocalSystem.start(new LocalSystem.Options(root.toAbsolutePath().normalize(), home, 0, LocalSystem.findFunctionJar(root), "it-secret", false));
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    static HttpResponse<String> call(String method, String path, String token, String body, String idempotencyKey)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + system.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String token(String sub, String... scopes) {
        return system.jwt().mint(sub, List.of(scopes), Instant.now());
    }

    @Test
    void earnThenBalanceAndHistoryOverHttp() throws Exception {
        String member = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String partner = token("partner-1", "points:earn");
        HttpResponse<String> earned = call("POST", "/members/" + member + "/earn", partner,
                "{\"points\":120,\"type\":\"PURCHASE\",\"reference\":\"order-1\"}", "key-1");
        assertEquals(201, earned.statusCode(), earned.body());
        assertEquals(120, JSON.readTree(earned.body()).get("balance").asLong());
        HttpResponse<String> bonus = call("POST", "/members/" + member + "/earn", partner,
                "{\"points\":30,\"type\":\"BONUS\",\"reference\":\"welcome\"}", "key-2");
        assertEquals(201, bonus.statusCode(), bonus.body());

        String self = token(member);
        HttpResponse<String> balance = call("GET", "/members/" + member + "/balance", self, null, null);
        assertEquals(200, balance.statusCode(), balance.body());
        JsonNode b = JSON.readTree(balance.body());
        assertEquals(150, b.get("balance").asLong());

        // The same key again: the stored answer, marked as a replay, and nothing applied twice.
        HttpResponse<String> retried = call("POST", "/members/" + member + "/earn", partner,
                "{\"points\":120,\"type\":\"PURCHASE\",\"reference\":\"order-1\"}", "key-1");
        assertEquals(201, retried.statusCode());
        assertEquals("true", retried.headers().firstValue("idempotent-replayed").orElseThrow());
        assertEquals(earned.body(), retried.body());
        assertEquals(150, b.get("available").asLong());
        assertEquals(30, b.at("/byType/BONUS").asLong());

        HttpResponse<String> history = call("GET", "/members/" + member + "/transactions?limit=1", self, null, null);
        assertEquals(200, history.statusCode(), history.body());
        JsonNode page = JSON.readTree(history.body());
        assertEquals("welcome", page.at("/items/0/reference").asText());
        String cursor = page.get("nextCursor").asText();
        JsonNode next = JSON.readTree(call("GET", "/members/" + member + "/transactions?limit=1&cursor=" + cursor, self, null, null).body());
        assertEquals("order-1", next.at("/items/0/reference").asText());
        assertTrue(next.get("nextCursor").isNull());
    }

    @Test
    void queueBatchAndSpendingOverHttp() throws Exception {
        String member = "it-" + UUID.randomUUID().toString().substring(0, 8);
        String sqs = "{\"Records\":[{\"messageId\":\"it-1\",\"receiptHandle\":\"h\",\"eventSource\":\"aws:sqs\","
                + "\"body\":\"{\\\"memberId\\\":\\\"" + member + "\\\",\\\"points\\\":200,\\\"type\\\":\\\"PURCHASE\\\","
                + "\\\"reference\\\":\\\"q-1\\\"}\"},"
                + "{\"messageId\":\"it-2\",\"receiptHandle\":\"h\",\"eventSource\":\"aws:sqs\",\"body\":\"not json\"}]}";
        HttpResponse<String> batch = call("POST", "/_local/sqs/earn", null, sqs, null);
        assertEquals(200, batch.statusCode(), batch.body());
        assertEquals("{\"batchItemFailures\":[]}", batch.body());

        String self = token(member);
        HttpResponse<String> redeemed = call("POST", "/members/" + member + "/redeem", self,
                "{\"points\":50,\"reference\":\"checkout-1\"}", "r-1");
        assertEquals(201, redeemed.statusCode(), redeemed.body());
        HttpResponse<String> held = call("POST", "/members/" + member + "/holds", self,
                "{\"points\":100,\"reference\":\"cart-1\"}", "h-1");
        assertEquals(201, held.statusCode(), held.body());
        assertEquals(50, JSON.readTree(held.body()).get("available").asLong());
        JsonNode b = JSON.readTree(call("GET", "/members/" + member + "/balance", self, null, null).body());
        assertEquals(150, b.get("balance").asLong());
        assertEquals(100, b.get("held").asLong());
        assertEquals(50, b.get("available").asLong());
    }

    /**
     * {@code ./loyalty import}'s Java code end to end: a JSON Lines and a CSV file through the
     * front door's SQS door into the earn-queue function, a dry run and an invalid file that
     * change nothing, and a second run of the same import that applies nothing twice.
     */
    @Test
    void importThroughTheQueueExactlyOnce(@TempDir Path dir) throws Exception {
        String a = "imp-" + UUID.randomUUID().toString().substring(0, 8);
        String b = "imp-" + UUID.randomUUID().toString().substring(0, 8);
        Instant expires = Instant.now().plus(Duration.ofDays(20)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant earned = Instant.now().minus(Duration.ofDays(100)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            jsonl.append("{\"member\":\"").append(i % 2 == 0 ? a : b).append("\",\"points\":").append(10 + i)
                    .append(",\"type\":\"PURCHASE\",\"earnedAt\":\"").append(earned).append("\",\"expiresAt\":\"")
                    .append(expires).append("\",\"reference\":\"old-sys:").append(i).append("\"}\n");
        }
        Path lots = java.nio.file.Files.writeString(dir.resolve("lots.jsonl"), jsonl);
        Path csv = java.nio.file.Files.writeString(dir.resolve("more.csv"),
                "member,points,type,earnedAt,expiresAt,reference\n"
                        + a + ",5,BONUS," + earned + ",,\"csv,1\"\n"
                        + b + ",7,SIGN_IN," + earned + "," + expires + ",csv-2\n");
        Path bad = java.nio.file.Files.writeString(dir.resolve("bad.jsonl"),
                "{\"member\":\"" + a + "\",\"points\":1,\"type\":\"BONUS\",\"earnedAt\":\"" + earned + "\",\"reference\":\"ok-1\"}\n"
                        + "{\"member\":\"" + a + "\",\"points\":0,\"type\":\"BONUS\",\"earnedAt\":\"" + earned + "\",\"reference\":\"bad-1\"}\n"
                        + "{\"member\":\"" + a + "\",\"points\":1,\"type\":\"BONUS\",\"earnedAt\":\"" + earned
                        + "\",\"expiresAt\":\"" + earned + "\",\"reference\":\"bad-2\"}\n");
        String url = "http://localhost:" + system.port() + "/_local/sqs/earn";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        dev.loyalty.local.importer.Importer importer = new dev.loyalty.local.importer.Importer(print, print);

        var invalid = importer.run(new String[]{bad.toString(), "--url", url});
        assertEquals(1, invalid.exitCode(), out.toString());
        assertTrue(out.toString().contains("line 2: points"), out.toString());
        assertTrue(out.toString().contains("line 3: expiresAt"), out.toString());
        var dry = importer.run(new String[]{lots.toString(), "--dry-run", "--url", url});
        assertEquals(0, dry.exitCode(), out.toString());
        assertTrue(out.toString().contains("25 valid records, 0 errors"), out.toString());
        String admin = token("ops", "points:admin");
        assertEquals(404, call("GET", "/members/" + a + "/balance", admin, null, null).statusCode(),
                "neither the invalid file nor the dry run sent anything");

        var first = importer.run(new String[]{lots.toString(), "--batch-size", "10", "--url", url});
        assertEquals(0, first.exitCode(), out.toString());
        assertEquals(25, first.records());
        assertEquals(3, first.batches());
        assertEquals(0, importer.run(new String[]{csv.toString(), "--url", url}).exitCode(), out.toString());
        assertTrue(out.toString().contains("imported 25 records in 3 batches"), out.toString());

        long aPoints = 5;
        long bPoints = 7;
        for (int i = 0; i < 25; i++) {
            if (i % 2 == 0) {
                aPoints += 10 + i;
            } else {
                bPoints += 10 + i;
            }
        }
        JsonNode balanceA = JSON.readTree(call("GET", "/members/" + a + "/balance", admin, null, null).body());
        assertEquals(aPoints, balanceA.get("balance").asLong(), balanceA.toString());
        // The imported lots expire at the instant the file gave, not by PURCHASE's 365 days.
        assertEquals(expires.toString(), balanceA.at("/expiring/0/expiresAt").asText(), balanceA.toString());
        assertEquals(aPoints - 5, balanceA.at("/expiring/0/points").asLong(), "the BONUS lot never expires");

        // The same imports again: every record answered as already applied, nothing twice.
        assertEquals(0, importer.run(new String[]{lots.toString(), "--url", url}).exitCode());
        assertEquals(0, importer.run(new String[]{csv.toString(), "--url", url}).exitCode());
        assertEquals(aPoints, JSON.readTree(call("GET", "/members/" + a + "/balance", admin, null, null).body())
                .get("balance").asLong());
        assertEquals(bPoints, JSON.readTree(call("GET", "/members/" + b + "/balance", admin, null, null).body())
                .get("balance").asLong());

        // The statement of the import window: opening 0, the 14 lots of a, closing its balance.
        JsonNode statement = JSON.readTree(call("GET", "/members/" + a + "/statement?from="
                + Instant.now().minus(Duration.ofHours(1)) + "&to=" + Instant.now().plusSeconds(60), token(a), null, null).body());
        assertEquals(0, statement.get("openingBalance").asLong(), statement.toString());
        assertEquals(14, statement.get("items").size(), statement.toString());
        assertEquals(aPoints, statement.get("closingBalance").asLong());
    }

    @Test
    void seededMembersSweepAndReconcileCleanly() throws Exception {
        HttpResponse<String> seeded = call("POST", "/_local/seed", null, "{\"members\":300,\"entriesPerMember\":6}", null);
        assertEquals(200, seeded.statusCode(), seeded.body());
        assertEquals(1800, JSON.readTree(seeded.body()).get("entries").asLong());
        String event = "{\"version\":\"0\",\"id\":\"it\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.scheduler\",\"detail\":{}}";
        JsonNode sweep = JSON.readTree(call("POST", "/_local/schedules/expire-sweep", null, event, null).body());
        assertTrue(sweep.get("finished").asBoolean(), sweep.toString());
        assertTrue(sweep.get("lotsExpired").asLong() >= 600, sweep.toString()); // two expired PURCHASE lots per member
        JsonNode reconcile = JSON.readTree(call("POST", "/_local/schedules/reconcile", null, event, null).body());
        assertEquals(0, reconcile.get("discrepancyCount").asLong(), reconcile.toString());
    }

    @Test
    void theFrontDoorChecksTokensAndRoutesLikeApiGateway() throws Exception {
        String member = "it-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> none = call("GET", "/members/" + member + "/balance", null, null, null);
        assertEquals(401, none.statusCode());
        assertEquals("application/problem+json", none.headers().firstValue("content-type").orElseThrow());
        String forged = new Jwt("another-secret").mint(member, List.of("points:admin"), Instant.now());
        assertEquals(401, call("GET", "/members/" + member + "/balance", forged, null, null).statusCode());
        String expired = system.jwt().mint(member, List.of(), Instant.now().minusSeconds(Jwt.TTL_SECONDS + 3600));
        assertEquals(401, call("GET", "/members/" + member + "/balance", expired, null, null).statusCode());

        String self = token(member);
        assertEquals(404, call("GET", "/members/" + member + "/balance", self, null, null).statusCode(), "unknown member");
        assertEquals(404, call("GET", "/nowhere", self, null, null).statusCode());
        HttpResponse<String> wrongMethod = call("DELETE", "/members/" + member + "/balance", self, null, null);
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("GET", wrongMethod.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> selfEarn = call("POST", "/members/" + member + "/earn", self,
                "{\"points\":1,\"type\":\"PURCHASE\",\"reference\":\"x\"}", "k");
        assertEquals(403, selfEarn.statusCode(), selfEarn.body());
    }
}
