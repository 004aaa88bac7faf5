package dev.loyalty.functions;

import dev.loyalty.devkit.DynamoApi;
import dev.loyalty.devkit.DynamoEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real DynamoDB-API server for the tests, one per test JVM, with the idempotency table
 * created from infra-terraform/tables/idempotency.json, the file Terraform reads. The backend
 * is picked by {@code -Dtest.aws}: {@code dynalite} (default, a Node process) or
 * {@code localstack} (Testcontainers; needs Docker, which CI machines here do not have).
 */
public class DynamoResource implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "loyalty-idempotency-test";
    public static final String BACKEND = System.getProperty("test.aws", "dynalite");
    private static String endpoint;

    static Path root() {
        return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    }

    static synchronized String endpoint() {
        if (endpoint == null) {
            AutoCloseable backend;
            switch (BACKEND) {
                case "dynalite" -> {
                    DynamoEmulator emulator = start(() -> DynamoEmulator.start(root(), null));
                    endpoint = emulator.endpoint();
                    backend = emulator;
                }
                case "localstack" -> {
                    var container = LocalStackBackend.start();
                    endpoint = container.getEndpoint().toString();
                    backend = container;
                }
                default -> throw new IllegalArgumentException("-Dtest.aws must be dynalite or localstack, not " + BACKEND);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    backend.close();
                } catch (Exception ignored) {
                    // the JVM is exiting
                }
            }));
            start(() -> {
                new DynamoApi(endpoint).createTable(root().resolve("infra-terraform/tables/idempotency.json"), TABLE);
                return null;
            });
        }
        return endpoint;
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T start(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> clientConfig(String endpoint) {
        return Map.of(
                "quarkus.dynamodb.endpoint-override", endpoint,
                "quarkus.dynamodb.aws.region", "us-east-1",
                "quarkus.dynamodb.aws.credentials.type", "static",
                "quarkus.dynamodb.aws.credentials.static-provider.access-key-id", "local",
                "quarkus.dynamodb.aws.credentials.static-provider.secret-access-key", "local",
                "loyalty.idempotency.table-name", TABLE);
    }

    @Override
    public Map<String, String> start() {
        return clientConfig(endpoint());
    }

    @Override
    public void stop() {
        // kept for the next profile; closed by the shutdown hook
    }
}
