package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.store.Connections;
import dev.loyalty.functions.store.Db;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A password rotated between a SnapStart snapshot and its restore: after the restore hook both
 * pools connect with the login re-read from the secret, the ledger's pool (rebuilt) and the
 * Quarkus pool the configuration entities use (which asks {@code store.DatabaseLogin} for each
 * new connection). The secret is served by a stand-in of the Parameters and Secrets extension.
 * The embedded server trusts local logins, so for this test it checks the functions' user's
 * password (pg_hba), and the control step shows the check is real: before the restore hook the
 * rotated password locks the entities out.
 */
@QuarkusTest
@TestProfile(CredentialsRotationTest.WithSecret.class)
class CredentialsRotationTest extends LedgerTestSupport {
    static final String ROTATED = "rotated-password-for-tests-only";
    static final SecretsExtension SECRETS = new SecretsExtension();

    public static final class WithSecret extends FunctionProfile {
        public WithSecret() {
            super("earn");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("loyalty.db.secret-arn", "arn:aws:secretsmanager:us-east-1:000000000000:secret:loyalty-app");
            config.put("loyalty.db.secrets-extension-port", Integer.toString(SECRETS.port()));
            return config;
        }
    }

    /**
     * Answers GET /secretsmanager/get as the extension does. The profile and the test may see
     * this class from two class loaders (two servers); the login of the moment is a JVM-wide
     * system property, so whichever server the configuration names serves the current one.
     */
    static final class SecretsExtension {
        // Not under "loyalty.": Quarkus validates that prefix against the configuration mapping.
        static final String PASSWORD_PROPERTY = "credentials-rotation-test.password";
        final HttpServer server;

        SecretsExtension() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/secretsmanager/get", exchange -> {
                String password = System.getProperty(PASSWORD_PROPERTY, PostgresResource.APP_PASSWORD);
                // Both values are plain [a-z_-]: no JSON escaping needed.
                String secret = "{\\\"username\\\":\\\"" + PostgresResource.APP_USER + "\\\",\\\"password\\\":\\\""
                        + password + "\\\"}";
                byte[] body = ("{\"SecretString\":\"" + secret + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        static void serve(String password) {
            System.setProperty(PASSWORD_PROPERTY, password);
        }
    }

    @Inject
    Connections connections;
    @Inject
    Db db;
    @Inject
    EarnService earn;

    static int status(JsonNode answer) {
        return answer.get("statusCode").asInt();
    }

    static void owner(String sql) {
        PostgresResource.owner().inTransaction(tx -> {
            tx.list(sql, r -> 0);
            return null;
        });
    }

    /** Ends every session of the functions' user, as a snapshot's sockets are dead after a restore. */
    static void dropSessions() throws InterruptedException {
        owner("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + PostgresResource.APP_USER + "'");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sessions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, sessions());
    }

    static long sessions() {
        return PostgresResource.owner().read(tx -> tx.one("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1",
                r -> r.getLong("n"), PostgresResource.APP_USER)).orElseThrow();
    }

    @Test
    void afterARestoreBothPoolsConnectWithTheRotatedPassword() throws Exception {
        String m = newMember();
        assertEquals(200, status(BusinessEventsTest.rulesAsOf(null)), "the entities read before the rotation");
        Path hba = Path.of(PostgresResource.owner().read(tx -> tx.one("SHOW hba_file", r -> r.getString(0))).orElseThrow());
        String trusted = Files.readString(hba);
        try {
            // The functions' user must now give its password (the rest of the suite stays trusted).
            Files.writeString(hba, "host all " + PostgresResource.APP_USER + " 127.0.0.1/32 scram-sha-256\n"
                    + "host all " + PostgresResource.APP_USER + " ::1/128 scram-sha-256\n" + trusted);
            owner("SELECT pg_reload_conf()");
            owner("ALTER ROLE " + PostgresResource.APP_USER + " PASSWORD '" + ROTATED + "'");
            SecretsExtension.serve(ROTATED);
            dropSessions();

            // Control: without the restore hook, new connections still use the old password.
            JsonNode refused = BusinessEventsTest.rulesAsOf(null);
            assertEquals(503, status(refused), "a login the database refuses is a dependency failure: " + refused);

            connections.afterRestore(null);
            assertEquals(200, status(BusinessEventsTest.rulesAsOf(null)), "the entities connect with the rotated login");
            earn.earn(new EarnCommand(m, 7, "PURCHASE", "after-rotation", null, null));
            assertEquals(List.of(7L), db.read(tx -> tx.list("SELECT balance FROM accounts WHERE member_id = $1",
                    r -> r.getLong("balance"), m)));
            assertTrue(sessions() > 0, "the sessions the requests used are the rotated login's");
        } finally {
            Files.writeString(hba, trusted);
            owner("SELECT pg_reload_conf()");
            owner("ALTER ROLE " + PostgresResource.APP_USER + " PASSWORD '" + PostgresResource.APP_PASSWORD + "'");
            System.clearProperty(SecretsExtension.PASSWORD_PROPERTY);
            connections.afterRestore(null);
        }
    }
}
