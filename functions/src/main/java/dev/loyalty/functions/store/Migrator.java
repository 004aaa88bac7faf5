package dev.loyalty.functions.store;

import dev.loyalty.functions.config.LoyaltyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Versioned schema migrations, applied by an explicit {@code migrate} step (the migrate Lambda,
 * the local runner, the tests), never on a cold start. Each version runs in its own
 * transaction under an advisory lock, so two migrators at once apply each version once.
 * Applied versions are checksummed: editing an applied file fails loudly instead of drifting.
 *
 * <p>Roles: the migrate Lambda alone connects as the schema owner. After the migrations it
 * creates (or re-passwords, on rotation) the functions' login user from the app secret and
 * makes it a member of {@code loyalty_app} (V5: row rights only, the ledger append-only). Run
 * by that login user, {@code migrate} is a harmless no-op when nothing is pending and fails
 * with "permission denied" when something is, which is how the tests show the functions hold
 * no DDL rights.
 */
@ApplicationScoped
public class Migrator {
    private static final Logger LOG = Logger.getLogger(Migrator.class);
    /** The ordered list of migrations. Listed, not scanned: no classpath scanning at run time. */
    public static final List<String> MIGRATIONS = List.of(
            "V1__ledger.sql",
            "V2__spending.sql",
            "V3__parked_messages.sql",
            "V4__reconcile_checkpoints.sql",
            "V5__app_role.sql",
            "V6__reconcile_ranges.sql",
            "V7__request_fingerprints.sql",
            "V8__outbox.sql",
            "V9__event_delivery.sql",
            "V10__audit_trail.sql",
            "V11__account_closure.sql",
            "V12__program_rules.sql",
            "V13__program_tiers.sql",
            "V14__rewards.sql",
            "V15__member_tiers.sql",
            "V16__returns.sql",
            "V17__report_indexes.sql",
            "V18__program_events.sql",
            "V20__member_tier_reasons.sql",
            "V21__report_rollup.sql",
            "V22__tier_review_retries.sql",
            "V23__qualifying_rebuild.sql",
            "V24__member_tier_points.sql",
            "V25__qualifying_days_points_in_key.sql");
    /** The row-rights role of V5; the functions' login user is made a member of it. */
    public static final String APP_ROLE = "loyalty_app";
    private static final long ADVISORY_LOCK_KEY = 0x4C4F59414C5459L; // "LOYALTY"

    private final Db db;
    private final Optional<AppLogin> appLogin;

    /** The functions' login user, from the app secret ({@code loyalty.db.app-login-*}). */
    public record AppLogin(String user, String password) {
        public AppLogin {
            if (user == null || user.isBlank() || password == null || password.length() < 16) {
                throw new IllegalArgumentException("the app login needs a user name and a password of 16+ characters");
            }
        }

        @Override
        public String toString() {
            return "AppLogin[" + user + "]";
        }
    }

    @Inject
    public Migrator(Db db, LoyaltyConfig config) {
        this(db, config.db().appLoginUser().map(user -> new AppLogin(user, config.db().appLoginPassword()
                .orElseThrow(() -> new IllegalStateException("loyalty.db.app-login-user is set without a password")))));
    }

    public Migrator(Db db, Optional<AppLogin> appLogin) {
        this.db = db;
        this.appLogin = appLogin;
    }

    /** {@code appLogin}: the login user ensured in this run, null when none is configured. */
    public record Result(List<String> applied, int latestVersion, String appLogin) {
    }

    public Result migrate() {
        return db.inTransaction(tx -> {
            tx.query("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY);
            boolean tracked = tx.one("SELECT to_regclass('schema_migrations') IS NOT NULL AS tracked",
                    r -> r.getBoolean("tracked")).orElse(false);
            if (!tracked) {
                tx.script("""
                        CREATE TABLE schema_migrations (
                            version    integer PRIMARY KEY,
                            name       text NOT NULL,
                            checksum   text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now())""");
            }
            Map<Integer, String> appliedChecksums = new TreeMap<>();
            tx.list("SELECT version, checksum FROM schema_migrations", r -> r)
                    .forEach(r -> appliedChecksums.put(r.getInteger("version"), r.getString("checksum")));
            List<String> applied = new ArrayList<>();
            int latest = 0;
            for (String file : MIGRATIONS) {
                int version = versionOf(file);
                String sql = load(file);
                String checksum = sha256(sql);
                latest = Math.max(latest, version);
                String known = appliedChecksums.get(version);
                if (known != null) {
                    if (!known.equals(checksum)) {
                        throw new IllegalStateException("migration " + file + " was edited after it was applied");
                    }
                    continue;
                }
                LOG.infof("applying migration %s", file);
                tx.script(sql);
                tx.query("INSERT INTO schema_migrations(version, name, checksum) VALUES ($1, $2, $3)",
                        version, file, checksum);
                applied.add(file);
            }
            appLogin.ifPresent(login -> ensureAppLogin(tx, login));
            return new Result(applied, latest, appLogin.map(AppLogin::user).orElse(null));
        });
    }

    /**
     * Creates the login user or sets its password (rotation), and makes it a member of
     * {@link #APP_ROLE}. DDL takes no bind parameters, so the statement is built by the server's
     * {@code format()} with %I/%L quoting from bound values, never by string concatenation here.
     */
    private static void ensureAppLogin(Tx tx, AppLogin login) {
        boolean exists = tx.one("SELECT count(*) > 0 AS e FROM pg_roles WHERE rolname = $1",
                r -> r.getBoolean("e"), login.user()).orElse(false);
        String template = exists ? "ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L"
                : "CREATE ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L";
        for (String statement : List.of(template, "GRANT " + APP_ROLE + " TO %I")) {
            String sql = tx.one("SELECT format($1, $2::text, $3::text) AS sql", r -> r.getString("sql"),
                    statement, login.user(), login.password()).orElseThrow();
            tx.script(sql);
        }
        LOG.infof("app login %s ensured (member of %s)", login.user(), APP_ROLE);
    }

    static int versionOf(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    private static String load(String file) {
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream("db/migration/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
