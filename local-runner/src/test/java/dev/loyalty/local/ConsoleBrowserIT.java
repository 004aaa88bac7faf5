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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The operator console in a real browser: Debian's chromium driven by playwright-core
 * (local-runner/console/e2e/console.e2e.mjs) against the whole local system with real data.
 * The browser looks a member up and sees the balance the API gives (and its lots with their points
 * left and expiry, and its hold, as the API gives them), triggers a validation
 * error and sees it at its field, adjusts the balance and sees the new entry, and replays a
 * parked queue record with a corrected body; then this test checks the effects through the API.
 * Without chromium or node it is skipped, except under CI=true, where it fails
 * ({@code ./loyalty test} installs chromium as root).
 */
class ConsoleBrowserIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("LOYALTY_CHROMIUM", "/usr/bin/chromium"));
    @TempDir
    static Path home;
    static LocalSystem system;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        boolean ci = "true".equals(System.getenv("CI"));
        boolean browser = Files.isExecutable(CHROMIUM);
        boolean node = onPath("node");
        boolean built = Files.isDirectory(root.resolve("local-runner/console/node_modules/playwright-core"))
                && FrontDoor.class.getClassLoader().getResource("console/index.html") != null;
        if (ci) {
            assertTrue(browser && node && built, "CI needs chromium (" + CHROMIUM + "), node and the built console: browser="
                    + browser + " node=" + node + " built=" + built);
        }
        assumeTrue(browser && node && built, "console browser test skipped: chromium=" + browser + " node=" + node + " built=" + built);
        system = LocalSystem.start(new LocalSystem.Options(root, home, 0, LocalSystem.findFunctionJar(root), "console-it-secret", false));
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    static JsonNode call(String method, String path, String token, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + system.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (method.equals("POST") || method.equals("PUT")) {
            b.header("Idempotency-Key", UUID.randomUUID().toString());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void anOperatorLooksUpAdjustsSeesErrorsAtTheirFieldsAndReplaysAParkedRecord() throws Exception {
        String member = "console-" + UUID.randomUUID().toString().substring(0, 8);
        String partner = system.jwt().mint("partner-1", List.of("points:earn"), Instant.now());
        String admin = system.jwt().mint("it-admin", List.of("points:admin"), Instant.now());
        JsonNode purchase = call("POST", "/members/" + member + "/earn", partner,
                "{\"points\":1200,\"type\":\"PURCHASE\",\"reference\":\"order-1\"}", 201);
        call("POST", "/members/" + member + "/earn", partner, "{\"points\":300,\"type\":\"PROMO\",\"reference\":\"promo-1\"}", 201);
        call("POST", "/members/" + member + "/earn", partner, "{\"points\":50,\"type\":\"BONUS\",\"reference\":\"welcome\"}", 201);
        String memberToken = system.jwt().mint(member, List.of(), Instant.now());
        call("POST", "/members/" + member + "/redeem", memberToken, "{\"points\":400,\"reference\":\"basket-1\"}", 201);
        // A reward with a stock, and a PENDING redemption of it (the browser cancels it).
        String rewardId = "mug-" + member;
        call("PUT", "/rewards/" + rewardId, admin, "{\"name\":\"Console mug\",\"cost\":100,\"initialStock\":10}", 201);
        String redemptionId = call("POST", "/members/" + member + "/redemptions", memberToken,
                "{\"rewardId\":\"" + rewardId + "\",\"reference\":\"mug-order-1\"}", 201).get("redemptionId").asText();
        long balance = call("GET", "/members/" + member + "/balance", admin, null, 200).get("balance").asLong();
        assertEquals(1050, balance);
        // A hold of 20 (the browser shows it), and the lots in spending order: PROMO's 300 went first
        // (400 redeemed: PROMO 300, PURCHASE 100), then the reward's 100 from PURCHASE: PURCHASE 1,000
        // left until the expiry its earn answered, BONUS 50 never expiring; PROMO is spent (not open).
        String holdId = call("POST", "/members/" + member + "/holds", memberToken,
                "{\"points\":20,\"reference\":\"hold-1\",\"ttlSeconds\":3600}", 201).get("holdId").asText();
        JsonNode lots = call("GET", "/members/" + member + "/lots", admin, null, 200).get("items");
        assertEquals(2, lots.size(), lots.toString());
        assertEquals("PURCHASE", lots.get(0).get("pointType").asText());
        assertEquals(1000, lots.get(0).get("remainingPoints").asLong());
        assertEquals(purchase.at("/lot/expiresAt").asText(), lots.get(0).get("expiresAt").asText());
        assertEquals("BONUS", lots.get(1).get("pointType").asText());
        assertEquals(50, lots.get(1).get("remainingPoints").asLong());
        assertTrue(lots.get(1).get("expiresAt").isNull());

        // A record that can never succeed as sent is parked: points 0.
        String parkedMember = member + "-q";
        String messageId = "console-it-" + UUID.randomUUID();
        String badBody = JSON.writeValueAsString(Map.of("memberId", parkedMember, "points", 0, "type", "PURCHASE", "reference", "q-1"));
        String sqsEvent = JSON.writeValueAsString(Map.of("Records", List.of(Map.of(
                "messageId", messageId, "receiptHandle", "h", "body", badBody,
                "attributes", Map.of("ApproximateReceiveCount", "1", "SentTimestamp", Long.toString(Instant.now().toEpochMilli())),
                "messageAttributes", Map.of(), "eventSource", "aws:sqs",
                "eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:loyalty-earn", "awsRegion", "eu-west-1"))));
        call("POST", "/_local/sqs/earn", null, sqsEvent, 200);
        String parked = call("GET", "/admin/parked?limit=200", admin, null, 200).toString();
        assertTrue(parked.contains(messageId), parked);

        Path shots = Path.of("target", "console-screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        Path log = shots.resolve("e2e.log");
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/console.e2e.mjs")
                .directory(root.resolve("local-runner/console").toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(Map.of(
                "EXPECTED_LOTS", lots.toString(),
                "EXPECTED_HOLD", holdId,
                "REDEMPTION_ID", redemptionId,
                "REDEMPTION_POINTS", "100",
                "REWARD_ID", rewardId));
        pb.environment().putAll(Map.of(
                "CONSOLE_URL", "http://localhost:" + system.port() + "/console/",
                "MEMBER_ID", member,
                "EXPECTED_BALANCE", Long.toString(balance),
                "PARKED_MESSAGE_ID", messageId,
                "CORRECTED_BODY", JSON.writeValueAsString(Map.of("memberId", parkedMember, "points", 25, "type", "PURCHASE", "reference", "q-1")),
                "SCREENSHOTS", shots.toString(),
                "CHROMIUM", CHROMIUM.toString()));
        Process p = pb.start();
        boolean finished = p.waitFor(240, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        System.out.print(Files.readString(log));
        assertTrue(finished, "the browser test did not finish in 240 s");
        assertEquals(0, p.exitValue(), "the browser test failed (output above; screenshots in " + shots + ")");

        // What the browser did, read back through the API: the adjustment, marked as the console's.
        // The newest two entries: the cancelled redemption's refund, then the adjustment.
        JsonNode two = call("GET", "/members/" + member + "/transactions?limit=2", admin, null, 200).get("items");
        JsonNode refund = two.get(0);
        assertEquals("REVERSAL", refund.get("kind").asText(), refund.toString());
        assertEquals(100, refund.get("points").asLong());
        assertEquals("cancel:" + redemptionId, refund.get("reference").asText());
        assertEquals("console", refund.get("actor").get("source").asText(), refund.toString());
        JsonNode latest = two.get(1);
        assertEquals("ADJUSTMENT", latest.get("kind").asText(), latest.toString());
        assertEquals(75, latest.get("points").asLong());
        assertEquals("console", latest.get("actor").get("source").asText(), latest.toString());
        assertEquals("operator", latest.get("actor").get("sub").asText(), latest.toString());
        // The redemption cancelled in the browser: its 100 points back, the unit back in stock, and
        // the browser's stock change of +5: 10 - 1 + 1 + 5.
        assertEquals(balance + 75 + 100, call("GET", "/members/" + member + "/balance", admin, null, 200).get("balance").asLong());
        assertEquals("CANCELLED", call("GET", "/members/" + member + "/redemptions", admin, null, 200).at("/items/0/status").asText());
        JsonNode rewards = call("GET", "/rewards", admin, null, 200).get("items");
        long stock = -1;
        for (JsonNode r : rewards) {
            if (r.get("rewardId").asText().equals(rewardId)) {
                stock = r.get("stock").asLong();
            }
        }
        assertEquals(15, stock, rewards.toString());
        // The parked record, replayed with the corrected body, earned once.
        assertEquals(25, call("GET", "/members/" + parkedMember + "/balance", admin, null, 200).get("balance").asLong());
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
