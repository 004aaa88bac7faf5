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
