package dev.loyalty.functions.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Transactions of the program's configuration entities (Hibernate Reactive with Panache: rule
 * set and tier set versions, rewards) on the same reactive pool as {@link Db}. The ledger's hot
 * paths never come here: they stay set-based SQL in {@link Db}/{@link Tx}.
 *
 * <p>A Funqy Lambda invocation runs on a worker thread with no Vert.x context, so the work runs
 * through {@link VertxContextSupport#subscribeAndAwait} (returning the Panache {@code Uni}
 * directly fails with "No current Vertx context found"). It is bounded as a whole by
 * {@link Db#transactionTimeout()}, like a {@link Db} transaction, and fails the same way: a
 * timeout, a lost connection or a server that cannot serve is
 * {@link DependencyUnavailableException} (503 with Retry-After), never a hang; a constraint
 * violation stays a {@link PgException}.
 */
@ApplicationScoped
public class Entities {
    private final Db db;

    public Entities(Db db) {
        this.db = db;
    }

    /** Runs {@code work} in one transaction ({@code Panache.withTransaction}): committed whole or rolled back whole. */
    public <T> T inTransaction(Supplier<Uni<T>> work) {
        return await(() -> Panache.withTransaction(work));
    }

    /** Runs read-only {@code work} in a session without an explicit transaction. */
    public <T> T read(Supplier<Uni<T>> work) {
        return await(() -> Panache.withSession(work));
    }

    private <T> T await(Supplier<Uni<T>> uni) {
        Duration timeout = db.transactionTimeout();
        try {
            return VertxContextSupport.subscribeAndAwait(() -> uni.get().ifNoItem().after(timeout)
                    .failWith(() -> new DependencyUnavailableException("PostgreSQL did not answer within "
                            + timeout.toMillis() + " ms", null)));
        } catch (Throwable t) {
            throw translate(t);
        }
    }

    /** The same classification as {@link Db}: unavailable (503) or a bug/constraint (500 or the caller's handling). */
    static RuntimeException translate(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof DependencyUnavailableException d) {
                return d;
            }
            if (t instanceof PgException pg) {
                return Db.unavailable(pg) ? new DependencyUnavailableException("PostgreSQL failed: " + pg.getMessage(), pg) : pg;
            }
            if (t instanceof io.smallrye.mutiny.TimeoutException || t instanceof io.vertx.core.VertxException
                    || t instanceof java.net.ConnectException || t instanceof java.io.IOException
                    || t instanceof io.vertx.core.impl.NoStackTraceThrowable) {
                return new DependencyUnavailableException("PostgreSQL failed: " + t, thrown);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return thrown instanceof RuntimeException r ? r : new IllegalStateException(thrown);
    }
}
