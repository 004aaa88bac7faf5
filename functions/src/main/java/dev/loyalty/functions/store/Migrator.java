package dev.loyalty.functions.store;

import jakarta.enterprise.context.ApplicationScoped;
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
import java.util.TreeMap;

/**
 * Versioned schema migrations, applied by an explicit {@code migrate} step (the migrate Lambda,
 * the local runner, the tests), never on a cold start. Each version runs in its own
 * transaction under an advisory lock, so two migrators at once apply each version once.
 * Applied versions are checksummed: editing an applied file fails loudly instead of drifting.
 */
@ApplicationScoped
public class Migrator {
    private static final Logger LOG = Logger.getLogger(Migrator.class);
    /** The ordered list of migrations. Listed, not scanned: no classpath scanning at run time. */
    public static final List<String> MIGRATIONS = List.of(
            "V1__ledger.sql",
            "V2__spending.sql",
            "V3__parked_messages.sql",
            "V4__reconcile_checkpoints.sql");
    private static final long ADVISORY_LOCK_KEY = 0x4C4F59414C5459L; // "LOYALTY"

    private final Db db;

    public Migrator(Db db) {
        this.db = db;
    }

    public record Result(List<String> applied, int latestVersion) {
    }

    public Result migrate() {
        return db.inTransaction(tx -> {
            tx.query("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY);
            tx.script("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer PRIMARY KEY,
                        name       text NOT NULL,
                        checksum   text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())""");
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
            return new Result(applied, latest);
        });
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
