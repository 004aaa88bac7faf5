package dev.loyalty.functions.store;

import dev.loyalty.functions.config.LoyaltyConfig;
import dev.loyalty.functions.idempotency.IdempotencyConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Transactions on the reactive PostgreSQL pool. Every ledger write runs in one transaction;
 * a failure rolls it back whole. Connection and timeout failures become
 * {@link DependencyUnavailableException} (503), constraint violations stay {@link PgException}.
 */
@ApplicationScoped
public class Db {
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";

    private final Supplier<Pool> pool;
    private final Duration statementTimeout;
    private final Duration transactionTimeout;

    /** The functions' pool, replaced after a SnapStart restore (see {@link Connections}). */
    @Inject
    public Db(Connections connections, LoyaltyConfig config, IdempotencyConfig lambda,
              jakarta.enterprise.inject.Instance<OutboxListener> listeners) {
        this.listeners = listeners::stream;
        this.pool = connections::pool;
        int configured = config.db().transactionTimeoutMs();
        this.transactionTimeout = Duration.ofMillis(configured > 0 ? configured : lambda.lambdaTimeoutMs() * 2 / 3);
        this.statementTimeout = Duration.ofMillis(Math.min(config.db().statementTimeoutMs(), transactionTimeout.toMillis()));
    }

    /** Outside CDI (the tests' schema-owner connection). */
    public Db(Pool pool, Duration statementTimeout) {
        this.listeners = java.util.stream.Stream::empty;
        this.pool = () -> pool;
        this.statementTimeout = statementTimeout;
        this.transactionTimeout = statementTimeout.multipliedBy(2);
    }

    /**
     * Runs {@code work} in one transaction, bounded as a whole by the transaction timeout and
     * each round trip by the statement timeout. A timeout, a lost connection or a server that
     * cannot serve (SQLSTATE classes 08, 53, 57: connection, resources, shutdown or statement
     * timeout) is {@link DependencyUnavailableException}: rolled back, nothing applied, 503.
     */
    public <T> T inTransaction(Function<Tx, T> work) {
        long deadline = System.nanoTime() + transactionTimeout.toNanos();
        SqlConnection connection = connect(deadline);
        Transaction tx = null;
        Tx t = new Tx(connection, statementTimeout, deadline);
        T result;
        try {
            tx = connection.begin().await().atMost(t.bound());
            result = work.apply(t);
            Transaction committing = tx;
            tx = null; // a commit that fails or times out is not rolled back: PostgreSQL decides
            committing.commit().await().atMost(t.bound());
        } catch (PgException e) {
            throw unavailable(e) ? new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e) : e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException | java.util.concurrent.CompletionException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e, e);
        } finally {
            if (tx != null) {
                try {
                    tx.rollback().await().atMost(Duration.ofSeconds(1));
                } catch (RuntimeException ignored) {
                    // the connection is closed below; PostgreSQL rolls back an abandoned transaction
                }
            }
            release(connection);
        }
        // After the connection went back to the pool: a listener's own transaction (the
        // publisher's) must not need a second connection while this one is held.
        afterCommit(t.emitted());
        return result;
    }

    /** Who hears of committed outbox events (the publisher); never the reason a committed write fails. */
    private final java.util.function.Supplier<java.util.stream.Stream<OutboxListener>> listeners;

    private void afterCommit(java.util.List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        listeners.get().forEach(l -> {
            try {
                l.committed(events);
            } catch (RuntimeException e) {
                // Committed is committed: the relay publishes what the listener could not.
                org.jboss.logging.Logger.getLogger(Db.class).warnf("outbox listener failed: %s", e.toString());
            }
        });
    }

    /** Reads without an explicit transaction (each statement is its own snapshot). */
    public <T> T read(Function<Tx, T> work) {
        long deadline = System.nanoTime() + transactionTimeout.toNanos();
        SqlConnection connection = connect(deadline);
        try {
            return work.apply(new Tx(connection, statementTimeout, deadline));
        } catch (PgException e) {
            throw unavailable(e) ? new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e) : e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException | java.util.concurrent.CompletionException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e, e);
        } finally {
            release(connection);
        }
    }

    /** SQLSTATE classes meaning "the server cannot serve now", not "this request is wrong". */
    static boolean unavailable(PgException e) {
        String state = e.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }

    /** Returns the connection to the pool without waiting on a stalled server (never throws). */
    private static void release(SqlConnection connection) {
        connection.close().subscribe().with(ok -> { }, e -> { });
    }

    /**
     * A connection from the pool, waiting at most the statement timeout (and what is left of the
     * transaction's). A connection that arrives after the wait was given up is closed at once,
     * so an abandoned wait never leaks one of the pool's few connections.
     */
    private SqlConnection connect(long deadline) {
        long left = Math.min(statementTimeout.toNanos(), deadline - System.nanoTime());
        // A plain future (not subscribeAsCompletionStage, whose context-propagating wrapper
        // fails on threads without the application's class loader, e.g. parallel sweeps).
        java.util.concurrent.CompletableFuture<SqlConnection> pending = new java.util.concurrent.CompletableFuture<>();
        try {
            pool.get().getConnection().subscribe().with(pending::complete, pending::completeExceptionally);
        } catch (RuntimeException e) {
            throw new DependencyUnavailableException("PostgreSQL unreachable: " + e.getMessage(), e);
        }
        try {
            return pending.get(Math.max(1, left), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.thenAccept(Db::release);
            throw new DependencyUnavailableException("PostgreSQL unreachable: no connection within "
                    + Duration.ofNanos(left).toMillis() + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DependencyUnavailableException("PostgreSQL unreachable: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted waiting for PostgreSQL", e);
        }
    }

    public static boolean isUniqueViolation(Throwable e, String constraint) {
        return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                && (constraint == null || constraint.equals(pg.getConstraint()));
    }
}
