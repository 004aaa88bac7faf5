package dev.loyalty.functions;

import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Migrator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A real PostgreSQL for the tests, started by the build itself (embedded binaries, no Docker,
 * works as root). One server per test JVM: Quarkus restarts between test profiles, the
 * database server does not, so the suite pays the start-up once.
 *
 * <p>Roles as on AWS: the server is migrated once by the schema owner, which also creates the
 * functions' login user ({@link #APP_USER}, a member of {@code loyalty_app}). Every function
 * under test connects as that user, so the whole suite runs with production's grants (no DDL,
 * ledger append-only). Only the migrate profile ({@code role=owner}) connects as the owner, and
 * tests that must corrupt data on purpose use {@link #owner()}.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    public static final String APP_USER = "loyalty_fn";
    static final String APP_PASSWORD = "app-password-for-tests-only";
    private static EmbeddedPostgres postgres;
    private static Db owner;

    private boolean asOwner;

    static synchronized EmbeddedPostgres server() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "off") // test speed only; durability is not under test here
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("random_page_cost", "1.1") // as deployed (infra-terraform/database.tf)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            new Migrator(owner(), Optional.of(new Migrator.AppLogin(APP_USER, APP_PASSWORD))).migrate();
        }
        return postgres;
    }

    /** A connection as the schema owner (superuser), for deliberate corruption and clean-up only. */
    public static synchronized Db owner() {
        if (owner == null) {
            PgConnectOptions connect = new PgConnectOptions().setHost("localhost").setPort(server().getPort())
                    .setDatabase("postgres").setUser("postgres").setPassword("postgres");
            owner = new Db(PgPool.pool(Vertx.vertx(), connect, new PoolOptions().setMaxSize(2)), Duration.ofSeconds(30));
        }
        return owner;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        asOwner = "owner".equals(initArgs.get("role"));
    }

    @Override
    public Map<String, String> start() {
        int port = server().getPort();
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + port + "/postgres",
                "quarkus.datasource.username", asOwner ? "postgres" : APP_USER,
                "quarkus.datasource.password", asOwner ? "postgres" : APP_PASSWORD);
    }

    @Override
    public void stop() {
        // kept for the next profile; closed by the shutdown hook
    }
}
