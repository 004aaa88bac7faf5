package dev.loyalty.functions.store;

import dev.loyalty.functions.config.DatabaseSecretConfigSource;
import dev.loyalty.functions.config.LoyaltyConfig;
import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The database login every new PostgreSQL connection uses: the ledger's pool ({@link
 * Connections}) and the Quarkus-managed pool that Hibernate Reactive's configuration entities
 * use ({@code quarkus.datasource.credentials-provider}: Quarkus asks this provider for each new
 * connection, not once at start-up).
 *
 * <p>It starts from {@code quarkus.datasource.username/password} (on AWS those come from the app
 * secret, read at init by {@link DatabaseSecretConfigSource}). {@link #refresh()} re-reads the
 * secret when one is configured; {@link Connections} calls it after a SnapStart restore, since
 * the password may have been rotated between the snapshot and the restore. Without a secret
 * (locally, in tests) the configured values stay.
 */
@ApplicationScoped
@Named(DatabaseLogin.NAME)
@Unremovable
public class DatabaseLogin implements CredentialsProvider {
    /** The bean's name, as {@code quarkus.datasource.credentials-provider(-name)} give it. */
    public static final String NAME = "loyalty-database";
    private static final Logger LOG = Logger.getLogger(DatabaseLogin.class);

    private final LoyaltyConfig config;

    public DatabaseLogin(LoyaltyConfig config) {
        this.config = config;
    }

    /** {user, password}; null until first asked. */
    private final AtomicReference<String[]> current = new AtomicReference<>();

    /** The login new connections use now. */
    public String[] current() {
        String[] login = current.get();
        if (login == null) {
            current.compareAndSet(null, configured());
            login = current.get();
        }
        return login.clone();
    }

    /**
     * Re-reads the login: from the secret ({@code loyalty.db.secret-arn}, through the Parameters
     * and Secrets extension on {@code loyalty.db.secrets-extension-port}) when one is configured,
     * else from the configuration. Connections opened after this use it; open ones keep theirs.
     */
    public String[] refresh() {
        String arn = config.db().secretArn().orElse("");
        String[] login;
        if (arn.isBlank()) {
            login = configured();
        } else {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", Integer.toString(config.db().secretsExtensionPort()));
            login = DatabaseSecretConfigSource.fetch(env, arn);
            LOG.infof("database login re-read from the secret (user %s)", login[0]);
        }
        current.set(login);
        return login.clone();
    }

    private static String[] configured() {
        var config = ConfigProvider.getConfig();
        return new String[]{config.getOptionalValue("quarkus.datasource.username", String.class).orElse(null),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null)};
    }

    @Override
    public Map<String, String> getCredentials(String credentialsProviderName) {
        String[] login = current();
        Map<String, String> credentials = new HashMap<>();
        if (login[0] != null) {
            credentials.put(USER_PROPERTY_NAME, login[0]);
        }
        if (login[1] != null) {
            credentials.put(PASSWORD_PROPERTY_NAME, login[1]);
        }
        return credentials;
    }
}
