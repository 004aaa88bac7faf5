package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration entities (Hibernate Reactive) against a database that accepts connections
 * and never answers: each route answers 503 SERVICE_UNAVAILABLE with Retry-After within the
 * transaction timeout, never hangs (store.Entities bounds every entity transaction as Db
 * bounds its own). The function also starts at all: Hibernate starts offline.
 */
@QuarkusTest
@TestProfile(ConfigEntitiesStalledDatabaseTest.Stalled.class)
class ConfigEntitiesStalledDatabaseTest {
    static final long TRANSACTION_TIMEOUT_MS = 2_000;

    /** earn with PostgreSQL stalled: a listener that takes connections and says nothing. */
    public static final class Stalled extends FunctionProfile {
        public Stalled() {
            super("earn");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DynamoResource.class), new TestResourceEntry(SilentServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.funqy.export", "earn",
                    "quarkus.datasource.username", "postgres", "quarkus.datasource.password", "postgres",
                    "loyalty.db.statement-timeout-ms", Long.toString(TRANSACTION_TIMEOUT_MS),
                    "loyalty.db.transaction-timeout-ms", Long.toString(TRANSACTION_TIMEOUT_MS));
        }
    }

    /** Accepts every connection and never writes a byte (a stalled server, not a refused one). */
    public static final class SilentServer implements QuarkusTestResourceLifecycleManager {
        private ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> start() {
            try {
                server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-postgres");
            t.setDaemon(true);
            t.start();
            return Map.of("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + server.getLocalPort() + "/postgres");
        }

        @Override
        public void stop() {
            try {
                server.close();
                for (Socket s : held) {
                    s.close();
                }
            } catch (IOException ignored) {
                // closing a test listener
            }
        }
    }

    static void assertUnavailableInTime(JsonNode r, long tookMs) {
        assertEquals(503, r.get("statusCode").asInt(), r.toString());
        assertEquals("SERVICE_UNAVAILABLE", body(r).get("code").asText());
        assertNotNull(ApiEvents.headers(r).get("retry-after"), "Retry-After: " + r);
        assertTrue(tookMs < TRANSACTION_TIMEOUT_MS * 3, "bounded, not a hang: " + tookMs + " ms");
    }

    @Test
    void readingAndPublishingRulesAndTiersAgainstAStalledDatabaseIs503WithRetryAfter() {
        for (String path : List.of("/program/rules", "/program/tiers")) {
            ObjectNode read = Lambda.sample("api/rules-publish.json");
            ApiEvents.path(read, "GET", path, "GET " + path, Map.of());
            read.remove("pathParameters");
            read.remove("body");
            long t0 = System.nanoTime();
            JsonNode r = Lambda.invoke(read);
            assertUnavailableInTime(r, (System.nanoTime() - t0) / 1_000_000);
        }
        ObjectNode publish = Lambda.sample("api/tiers-publish.json");
        ((ObjectNode) publish.get("headers")).put("idempotency-key", UUID.randomUUID().toString());
        long t0 = System.nanoTime();
        JsonNode r = Lambda.invoke(publish);
        assertUnavailableInTime(r, (System.nanoTime() - t0) / 1_000_000);
    }
}
