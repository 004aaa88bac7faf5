package dev.loyalty.functions.config;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The credentials come from the Parameters and Secrets extension's local API, as on Lambda. */
class DatabaseSecretConfigSourceTest {

    @Test
    void readsTheManagedSecretThroughTheExtension() throws Exception {
        AtomicReference<String> token = new AtomicReference<>();
        AtomicReference<String> query = new AtomicReference<>();
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/secretsmanager/get", ex -> {
            token.set(ex.getRequestHeaders().getFirst("X-Aws-Parameters-Secrets-Token"));
            query.set(ex.getRequestURI().getRawQuery());
            byte[] body = "{\"ARN\":\"arn:x\",\"SecretString\":\"{\\\"username\\\":\\\"loyalty_admin\\\",\\\"password\\\":\\\"s3cr\\\\\\\"et\\\"}\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        fake.start();
        try {
            Map<String, String> env = Map.of("LOYALTY_DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:rds!cluster",
                    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", String.valueOf(fake.getAddress().getPort()),
                    "AWS_SESSION_TOKEN", "session-token");
            DatabaseSecretConfigSource source = new DatabaseSecretConfigSource(env);
            assertEquals("loyalty_admin", source.getValue("quarkus.datasource.username"));
            assertEquals("s3cr\"et", source.getValue("quarkus.datasource.password"));
            assertEquals("session-token", token.get());
            assertTrue(query.get().startsWith("secretId=arn%3Aaws%3Asecretsmanager"), query.get());
            assertEquals(275, source.getOrdinal());
            assertTrue(source.getValue("loyalty.db.app-login-user") == null, "no app secret, no app login");

            // The migrate Lambda: the owner secret for its own connection, the app secret for
            // the login user it creates.
            DatabaseSecretConfigSource migrate = new DatabaseSecretConfigSource(Map.of(
                    "LOYALTY_DB_SECRET_ARN", "arn:owner", "LOYALTY_APP_DB_SECRET_ARN", "arn:app",
                    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", String.valueOf(fake.getAddress().getPort())));
            assertEquals("loyalty_admin", migrate.getValue("loyalty.db.app-login-user"));
            assertEquals("s3cr\"et", migrate.getValue("loyalty.db.app-login-password"));
            assertEquals("secretId=arn%3Aapp", query.get(), "the app secret is read by its own ARN");
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void suppliesNothingWithoutASecretAndFailsLoudlyWhenTheSecretCannotBeRead() {
        assertTrue(new DatabaseSecretConfigSource(Map.of()).getPropertyNames().isEmpty());
        assertThrows(IllegalStateException.class, () -> new DatabaseSecretConfigSource(Map.of(
                "LOYALTY_DB_SECRET_ARN", "arn:x", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "1")));
    }
}
