package dev.loyalty.functions.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The database credentials from Secrets Manager, on AWS. When {@code LOYALTY_DB_SECRET_ARN} is
 * set, the secret (Aurora's managed {username, password}) is read once at start-up through the
 * AWS Parameters and Secrets Lambda Extension on localhost (no SDK, no network hop outside the
 * VPC endpoint) and supplies {@code quarkus.datasource.username/password}, above
 * application.properties. Without the variable (locally, in tests) it supplies nothing.
 *
 * <p>Two secrets exist: the cluster's owner secret (DDL), given only to the migrate Lambda, and
 * the app secret (the {@code loyalty_app} login user), given to every other Lambda as
 * {@code LOYALTY_DB_SECRET_ARN}. The migrate Lambda also gets {@code LOYALTY_APP_DB_SECRET_ARN},
 * read here into {@code loyalty.db.app-login-user/password}, so it can create that user.
 */
public class DatabaseSecretConfigSource implements ConfigSource {
    static final String ARN_ENV = "LOYALTY_DB_SECRET_ARN";
    static final String USERNAME = "quarkus.datasource.username";
    static final String PASSWORD = "quarkus.datasource.password";
    static final String APP_ARN_ENV = "LOYALTY_APP_DB_SECRET_ARN";
    static final String APP_USER = "loyalty.db.app-login-user";
    static final String APP_PASSWORD = "loyalty.db.app-login-password";

    private final Map<String, String> values;

    public DatabaseSecretConfigSource() {
        this(System.getenv());
    }

    DatabaseSecretConfigSource(Map<String, String> env) {
        Map<String, String> found = new HashMap<>();
        String arn = env.get(ARN_ENV);
        if (arn != null && !arn.isBlank()) {
            String[] login = fetch(env, arn);
            found.put(USERNAME, login[0]);
            found.put(PASSWORD, login[1]);
        }
        String appArn = env.get(APP_ARN_ENV);
        if (appArn != null && !appArn.isBlank()) {
            String[] login = fetch(env, appArn);
            found.put(APP_USER, login[0]);
            found.put(APP_PASSWORD, login[1]);
        }
        this.values = Map.copyOf(found);
    }

    /** {username, password} of one secret. */
    public static String[] fetch(Map<String, String> env, String arn) {
        String port = env.getOrDefault("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773");
        URI uri = URI.create("http://localhost:" + port + "/secretsmanager/get?secretId="
                + URLEncoder.encode(arn, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("X-Aws-Parameters-Secrets-Token", env.getOrDefault("AWS_SESSION_TOKEN", "")).GET().build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("reading the database secret failed: HTTP " + response.statusCode());
            }
            ObjectMapper json = new ObjectMapper();
            JsonNode secret = json.readTree(json.readTree(response.body()).path("SecretString").asText());
            String user = secret.path("username").asText(null);
            String password = secret.path("password").asText(null);
            if (user == null || password == null) {
                throw new IllegalStateException("the database secret has no username/password");
            }
            return new String[]{user, password};
        } catch (IOException e) {
            throw new IllegalStateException("reading the database secret failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "database-secret";
    }

    /** Above application.properties (250), below explicit environment variables (300). */
    @Override
    public int getOrdinal() {
        return 275;
    }
}
