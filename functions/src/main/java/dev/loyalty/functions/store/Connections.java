package dev.loyalty.functions.store;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The PostgreSQL pool the functions use, made safe for Lambda SnapStart.
 *
 * <p>SnapStart snapshots the initialised JVM once and restores copies of it, possibly days
 * later, on other hosts. Sockets captured in the snapshot are dead after a restore, and the
 * credentials read at init may have been rotated since. This bean is a CRaC {@link Resource}
 * (Lambda's runtime calls it; elsewhere org.crac is a no-op): after a restore it builds a new
 * pool from the same {@code quarkus.datasource.*} settings with the login {@link DatabaseLogin}
 * re-reads (the secret, through the Parameters and Secrets extension, when one is configured),
 * swaps it in, and closes the old pool with whatever it held. Until the first restore the
 * Quarkus-managed pool is used as is.
 *
 * <p>The Quarkus-managed pool stays in use by Hibernate Reactive (configuration entities). It
 * takes its login from {@link DatabaseLogin} for every new connection, so after a restore it
 * connects with the re-read one. It holds no connection in the snapshot: nothing at init touches
 * the database (Hibernate starts offline), and a connection it opened later and lost is
 * replaced by the pool.
 */
@ApplicationScoped
public class Connections implements Resource {
    private static final Logger LOG = Logger.getLogger(Connections.class);

    private final Vertx vertx;
    private final Pool quarkusPool;
    private final AtomicReference<Pool> current;
    private final DatabaseLogin login;

    public Connections(Pool quarkusPool, Vertx vertx, DatabaseLogin login) {
        this.login = login;
        this.vertx = vertx;
        this.quarkusPool = quarkusPool;
        this.current = new AtomicReference<>(quarkusPool);
    }

    void register(@Observes StartupEvent ignored) {
        // The global context holds resources weakly; this application-scoped bean outlives it.
        Core.getGlobalContext().register(this);
    }

    public Pool pool() {
        return current.get();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        // Nothing to flush: every write is committed before an invocation returns. Connections
        // opened during init are replaced after the restore.
        LOG.info("SnapStart checkpoint: database connections will be replaced on restore");
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        reconnect();
    }

    /** Builds a fresh pool (fresh credentials, fresh sockets), swaps it in, closes the old one. */
    public void reconnect() {
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.reactive.url", String.class);
        // Rotated since the snapshot? The Quarkus pool (configuration entities) asks the same
        // login for each new connection, so both pools use the fresh one from here on.
        String[] login = this.login.refresh();
        String user = login[0];
        String password = login[1];
        PgConnectOptions connect = PgConnectOptions.fromUri(url);
        if (user != null) {
            connect.setUser(user);
        }
        if (password != null) {
            connect.setPassword(password);
        }
        PoolOptions options = new PoolOptions()
                .setMaxSize(config.getOptionalValue("quarkus.datasource.reactive.max-size", Integer.class).orElse(4))
                .setIdleTimeout((int) config.getOptionalValue("quarkus.datasource.reactive.idle-timeout", Duration.class)
                        .orElse(Duration.ofSeconds(60)).toSeconds())
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        Pool fresh = PgPool.pool(vertx, connect, options);
        Pool previous = current.getAndSet(fresh);
        if (previous != quarkusPool) {
            // A pool this bean built at an earlier restore: close it and its sockets. The
            // Quarkus-managed pool is closed by Quarkus at shutdown and is never used again.
            previous.close().subscribe().with(ok -> { }, e -> LOG.debug("closing the old pool failed", e));
        }
        LOG.infof("database pool rebuilt after restore (user %s)", user);
    }
}
