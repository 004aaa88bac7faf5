package dev.loyalty.functions.store;

import dev.loyalty.functions.config.LoyaltyConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the heavy reports read: a read replica when {@code loyalty.db.read-url}
 * ({@code LOYALTY_DB_READ_URL}; on AWS the RDS Proxy's read-only endpoint) is set, else the
 * primary. The replica gets its own small pool (the functions' login, the same statement and
 * transaction bounds), built on first use and dropped after a SnapStart restore (its sockets and
 * credentials would be stale), so it is rebuilt from fresh settings. Every answer says which one
 * it read ({@link Read#readFrom()}), because a replica may lag the primary.
 */
@ApplicationScoped
public class ReportReads implements Resource {
    public static final String PRIMARY = "primary";
    public static final String REPLICA = "replica";

    /** A report's value and where it was read. */
    public record Read<T>(T value, String readFrom) {
    }

    private final Db primary;
    private final Optional<String> readUrl;
    private final Vertx vertx;
    private final Duration statementTimeout;
    private volatile Pool replicaPool;
    private volatile Db replica;
    private final DatabaseLogin login;

    @Inject
    public ReportReads(Db primary, LoyaltyConfig config, Vertx vertx, DatabaseLogin login) {
        this.login = login;
        this.primary = primary;
        this.readUrl = config.db().readUrl().filter(u -> !u.isBlank());
        this.vertx = vertx;
        this.statementTimeout = Duration.ofMillis(config.db().statementTimeoutMs());
    }

    void register(@Observes StartupEvent ignored) {
        Core.getGlobalContext().register(this);
    }

    /** Runs a read on the replica when one is configured, else on the primary. */
    public <T> Read<T> read(Function<Tx, T> work) {
        return on(db -> db.read(work));
    }

    /** {@code run} on the replica when one is configured, else on the primary, with where it ran. */
    private <T> Read<T> on(Function<Db, T> run) {
        return readUrl.isEmpty() ? new Read<>(run.apply(primary), PRIMARY) : new Read<>(run.apply(replica()), REPLICA);
    }

    /**
     * As {@link #read}, in one {@code REPEATABLE READ, READ ONLY} transaction: every statement of
     * {@code work} sees the same snapshot (a report that reads the rollup's checkpoint and then
     * the rollup and the ledger must not see a rollup step commit in between).
     */
    public <T> Read<T> readSnapshot(Function<Tx, T> work) {
        Function<Tx, T> inSnapshot = tx -> {
            // Queued first: it goes out right after BEGIN, before any statement of the work.
            tx.later("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", rows -> null);
            return work.apply(tx);
        };
        return on(db -> db.inTransaction(inSnapshot));
    }

    /** Where {@link #read} goes. */
    public String target() {
        return readUrl.isEmpty() ? PRIMARY : REPLICA;
    }

    private Db replica() {
        Db r = replica;
        if (r != null) {
            return r;
        }
        synchronized (this) {
            if (replica == null) {
                PgConnectOptions connect = PgConnectOptions.fromUri(readUrl.get());
                // The functions' login, as the primary's: the one DatabaseLogin holds now (re-read
                // from the secret after a SnapStart restore; this pool is dropped then and rebuilt).
                String[] login = this.login.current();
                if (login[0] != null) {
                    connect.setUser(login[0]);
                }
                if (login[1] != null) {
                    connect.setPassword(login[1]);
                }
                replicaPool = PgPool.pool(vertx, connect, new PoolOptions().setMaxSize(2)
                        .setIdleTimeout(60).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS));
                replica = new Db(replicaPool, statementTimeout);
            }
            return replica;
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        drop();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        drop();
    }

    private synchronized void drop() {
        Pool p = replicaPool;
        replica = null;
        replicaPool = null;
        if (p != null) {
            p.close().subscribe().with(ok -> { }, e -> { });
        }
    }
}
