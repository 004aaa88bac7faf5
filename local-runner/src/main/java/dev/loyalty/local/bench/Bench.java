package dev.loyalty.local.bench;

import dev.loyalty.local.LocalSystem;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./loyalty bench [--quick]}: starts the whole system once, runs the scenarios in order,
 * prints the table and writes {@code results.md} and {@code results.svg} to
 * {@code $LOYALTY_BENCH_OUT} (default {@code bench/} for the full run, {@code bench/quick/} for
 * {@code --quick}). A scenario that fails
 * functionally becomes a FAILED row and the run exits 1 after writing the results.
 */
public final class Bench {
    private Bench() {
    }

    /**
     * The sizes of one run. {@code --quick} is a CI smoke run (under 3 minutes here); the full
     * run stays under 30 minutes on 2 cores, most of it seeding the 1M-member data set.
     * {@code loadLimit} bounds each load phase in time as well as in requests (a busy machine).
     */
    record Plan(boolean quick, int seconds, int pgbenchSeconds, int dynamoPuts, int earnInstances, int earnRequestsC1,
                int earnRequestsPerClientC8, int redeemInstances, int redeemClients, int redeemsPerClient,
                long seedMembers, int seedEntriesPerMember, int readRequests, int startupRuns, Duration loadLimit) {
        static Plan of(boolean quick) {
            return quick
                    ? new Plan(true, 3, 2, 150, 8, 100, 25, 4, 16, 10, 10_000, 10, 200, 1, Duration.ofSeconds(3))
                    : new Plan(false, 20, 20, 2000, 8, 2000, 300, 8, 16, 100, 1_000_000, 10, 2000, 3, Duration.ofSeconds(60));
        }
    }

    public static void run(Path root, boolean quick) throws Exception {
        Plan plan = Plan.of(quick);
        long started = System.nanoTime();
        Path home = Files.createTempDirectory("loyalty-bench");
        // The full run's results are the committed bench/results.md; a quick run does not overwrite them.
        Path defaultOut = quick ? root.resolve("bench").resolve("quick") : root.resolve("bench");
        Path out = Path.of(System.getenv().getOrDefault("LOYALTY_BENCH_OUT", defaultOut.toString()));
        List<Row> rows = new ArrayList<>();
        Path jar = LocalSystem.findFunctionJar(root);
        // The functions reach PostgreSQL through a TCP proxy that adds no delay until the
        // scenarios that measure the write path with link latency turn it on; pgbench, the seeder
        // and the raw baselines connect directly.
        try (DelayProxy proxy = new DelayProxy(LocalSystem.DATABASE_PORT::get)) {
            LocalSystem.Options options = new LocalSystem.Options(root, home, 0, jar, "bench-secret", false,
                    Map.of("earn", plan.earnInstances(), "redeem", plan.redeemInstances()))
                    .withFunctionEnv(Map.of("LOYALTY_DB_URL", "postgresql://localhost:" + proxy.port() + "/postgres"));
            System.out.println("bench: starting the system (" + plan.earnInstances() + " earn and " + plan.redeemInstances()
                    + " redeem JVMs)...");
            try (LocalSystem system = LocalSystem.start(options)) {
                new Scenarios(system, root, home, jar, plan, rows, proxy).runAll();
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        long ramGb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() >> 30;
        String header = "# Benchmark results\n\n"
                + (quick ? "**Quick run** (`./loyalty bench --quick`, CI smoke sizes: figures are indicative only). "
                : "Full run (`./loyalty bench`). ")
                + String.format(Locale.ROOT, "%s; %d cores, %d GB RAM, Java %s (%s), embedded PostgreSQL, dynalite; %.1f min.%n%n",
                Instant.now().toString().substring(0, 16) + "Z", Runtime.getRuntime().availableProcessors(), ramGb,
                System.getProperty("java.version"), System.getProperty("java.vm.name"), minutes)
                + "Every ratio is against a baseline measured in the same run on the same PostgreSQL. Latency ratios"
                + " and time ratios: lower is better; throughput ratios: higher is better.\n\n";
        String md = Report.markdown(header, rows);
        System.out.println(md);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), md);
        Files.writeString(out.resolve("results.svg"), Report.svg("./loyalty bench" + (quick ? " --quick" : "")
                + " — " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"), rows));
        System.out.println("written to " + out.resolve("results.md") + " and results.svg");
        long failed = rows.stream().filter(Row::failed).count();
        if (failed > 0) {
            System.err.println("bench: " + failed + " scenario(s) failed; logs kept in " + home.resolve("logs"));
            System.exit(1);
        }
        deleteTree(home); // logs, pgbench logs and the CDS/AOT archives (~100 MB)
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Formats shared by the scenarios. */
    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String ms(Histogram h, double percentile) {
        return Latency.fmt(Latency.ms(h, percentile));
    }
}
