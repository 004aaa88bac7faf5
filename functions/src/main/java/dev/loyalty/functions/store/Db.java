package dev.loyalty.functions.store;

import dev.loyalty.functions.config.LoyaltyConfig;
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

    /** The functions' pool, replaced after a SnapStart restore (see {@link Connections}). */
    @Inject
    public Db(Connections connections, LoyaltyConfig config) {
        this.pool = connections::pool;
        this.statementTimeout = Duration.ofMillis(config.db().statementTimeoutMs());
    }

    /** Outside CDI (the tests' schema-owner connection). */
    public Db(Pool pool, Duration statementTimeout) {
        this.pool = () -> pool;
        this.statementTimeout = statementTimeout;
    }

    public <T> T inTransaction(Function<Tx, T> work) {
        SqlConnection connection = connect();
        Transaction tx = null;
        try {
            tx = connection.begin().await().atMost(statementTimeout);
            T result = work.apply(new Tx(connection, statementTimeout));
            tx.commit().await().atMost(statementTimeout);
            tx = null;
            return result;
        } catch (PgException e) {
            throw e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e);
        } finally {
            if (tx != null) {
                try {
                    tx.rollback().await().atMost(statementTimeout);
                } catch (RuntimeException ignored) {
                    // the connection is closed below; PostgreSQL rolls back an abandoned transaction
                }
            }
            connection.close().await().atMost(statementTimeout);
        }
    }

    /** Reads without an explicit transaction (each statement is its own snapshot). */
    public <T> T read(Function<Tx, T> work) {
        SqlConnection connection = connect();
        try {
            return work.apply(new Tx(connection, statementTimeout));
        } catch (PgException e) {
            throw e;
        } catch (io.smallrye.mutiny.TimeoutException | io.vertx.core.VertxException e) {
            throw new DependencyUnavailableException("PostgreSQL failed: " + e.getMessage(), e);
        } finally {
            connection.close().await().atMost(statementTimeout);
        }
    }

    private SqlConnection connect() {
        try {
            return pool.get().getConnection().await().atMost(statementTimeout);
        } catch (RuntimeException e) {
            throw new DependencyUnavailableException("PostgreSQL unreachable: " + e.getMessage(), e);
        }
    }

    public static boolean isUniqueViolation(Throwable e, String constraint) {
        return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                && (constraint == null || constraint.equals(pg.getConstraint()));
    }
}
