package dev.loyalty.local;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code ./loyalty local}, {@code token}, {@code bench} and {@code import}. */
public final class LocalRunner {
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_JWT_SECRET = "local-dev-secret";

    private LocalRunner() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "local" : args[0];
        switch (command) {
            case "token" -> {
                if (args.length < 2) {
                    System.err.println("usage: token SUB [SCOPE...]");
                    System.exit(2);
                }
                System.out.println(new Jwt(jwtSecret()).mint(args[1], List.of(args).subList(2, args.length), Instant.now()));
            }
            case "local" -> local();
            case "import" -> dev.loyalty.local.importer.Importer.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            case "bench" -> dev.loyalty.local.bench.Bench.run(Path.of("").toAbsolutePath(), List.of(args).contains("--quick"));
            default -> {
                System.err.println("unknown command " + command);
                System.exit(2);
            }
        }
    }

    /** Config {@code loyalty.local.jwt-secret}: system property, else LOYALTY_LOCAL_JWT_SECRET, else the default. */
    static String jwtSecret() {
        String p = System.getProperty("loyalty.local.jwt-secret");
        if (p != null) {
            return p;
        }
        String e = System.getenv("LOYALTY_LOCAL_JWT_SECRET");
        return e != null ? e : DEFAULT_JWT_SECRET;
    }

    private static void local() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        String home = System.getenv().getOrDefault("LOYALTY_HOME", root.resolve(".loyalty").toString());
        int port = Integer.parseInt(System.getenv().getOrDefault("LOYALTY_PORT", Integer.toString(DEFAULT_PORT)));
        LocalSystem.Options options = new LocalSystem.Options(root, Path.of(home), port, LocalSystem.findFunctionJar(root),
                jwtSecret(), true);
        System.out.println("starting: embedded PostgreSQL (data in " + home + "/pgdata), DynamoDB emulator (" + home + "/dynamodb), functions, front door...");
        LocalSystem system = LocalSystem.start(options);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            system.close();
            stop.countDown();
        }));
        System.out.println("""
                loyalty ledger is up on http://localhost:%d
                  operator console: http://localhost:%d/console/
                  PostgreSQL: psql -h localhost -p %d -U postgres postgres
                  function logs: %s/logs/
                  token: ./loyalty token SUB [SCOPE...]   (scopes: points:earn, points:admin)
                Ctrl-C stops it.""".formatted(system.port(), system.port(), system.databasePort(), home));
        stop.await();
    }
}
