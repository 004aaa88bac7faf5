package dev.loyalty.local.bench;

import dev.loyalty.local.FunctionProcess;
import dev.loyalty.local.LocalSystem;
import dev.loyalty.local.RuntimeApi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Start-up of one function JVM, from process start to its first served request (a balance
 * read through its own Runtime API), in three modes: plain, AppCDS (a dynamic archive written
 * at the exit of a training run, {@code -XX:ArchiveClassesAtExit}, then
 * {@code -XX:SharedArchiveFile}) and the JDK 25 AOT cache (one-step training,
 * {@code -XX:AOTCacheOutput}, then {@code -XX:AOTCache}). Baseline: the same java binary
 * running {@link Hello}. Also the peak RSS (VmHWM) of the function JVMs.
 */
final class Startup {
    /**
     * What a start-up run serves first: the function JVM started and the request it must answer.
     * {@link #BALANCE} is the ledger's read (set-based SQL); {@link #PROGRAM_RULES} reads the rule
     * set in force through Hibernate Reactive with Panache (the configuration entities), so it
     * pays for the entity layer's first use as well as its boot.
     */
    record Probe(String label, String function) {
    }

    static final Probe BALANCE = new Probe("balance", "balance");
    static final Probe PROGRAM_RULES = new Probe("GET /program/rules, Panache", "earn");
    /** A JVM writing its archive at exit may take this long (the AOT cache is assembled then). */
    static final Duration ARCHIVE_GRACE = Duration.ofSeconds(180);
    /** Requests a training run serves before it exits and writes its archive. */
    static final int TRAINING_REQUESTS = 10;

    private Startup() {
    }

    record Mode(String name, List<String> trainOptions, List<String> runOptions) {
    }

    static List<Mode> modes(Path dir, Probe probe) {
        Path jsa = dir.resolve("app-" + probe.function() + ".jsa");
        Path aot = dir.resolve("app-" + probe.function() + ".aot");
        return List.of(
                new Mode("plain JVM", List.of(), List.of()),
                new Mode("AppCDS", List.of("-XX:ArchiveClassesAtExit=" + jsa), List.of("-XX:SharedArchiveFile=" + jsa)),
                new Mode("AOT cache (JDK 25)", List.of("-XX:AOTCacheOutput=" + aot), List.of("-XX:AOTCache=" + aot)));
    }

    /** Hello world on the same java binary with the function JVMs' flags: median milliseconds of {@code runs}. */
    static double helloMs(int runs) throws Exception {
        String cp = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:MaxRAM=512m", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp, Hello.class.getName())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IOException("hello world JVM failed");
            }
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return median(ms);
    }

    /** The training run of a mode (none for plain); false if the JVM wrote no archive. */
    static boolean train(LocalSystem system, Path jar, Path home, Mode mode, Probe probe, String member) throws Exception {
        if (mode.trainOptions().isEmpty()) {
            return true;
        }
        try (RuntimeApi api = new RuntimeApi(probe.function(), LocalSystem.INVOCATION_TIMEOUT)) {
            FunctionProcess p = new FunctionProcess(jar, probe.function(), api, system.functionEnvironment(),
                    home.resolve("logs").resolve("startup-train-" + slug(mode) + "-" + probe.function() + ".log"),
                    mode.trainOptions());
            try {
                for (int i = 0; i < TRAINING_REQUESTS; i++) {
                    served(api, probe, member);
                }
            } finally {
                p.close(ARCHIVE_GRACE);
            }
        }
        String option = mode.runOptions().get(0);
        return Files.isRegularFile(Path.of(option.substring(option.indexOf('=') + 1)));
    }

    /** Milliseconds from process start to the first served request, median of {@code runs}. */
    static double firstRequestMs(LocalSystem system, Path jar, Path home, Mode mode, Probe probe, String member, int runs)
            throws Exception {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            try (RuntimeApi api = new RuntimeApi(probe.function(), LocalSystem.INVOCATION_TIMEOUT)) {
                long t = System.nanoTime();
                try (FunctionProcess p = new FunctionProcess(jar, probe.function(), api, system.functionEnvironment(),
                        home.resolve("logs").resolve("startup-" + slug(mode) + "-" + probe.function() + "-" + i + ".log"),
                        mode.runOptions())) {
                    served(api, probe, member);
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
            }
        }
        return median(ms);
    }

    private static void served(RuntimeApi api, Probe probe, String member) throws TimeoutException {
        RuntimeApi.Result r = api.invoke(probe == PROGRAM_RULES ? rulesEvent() : balanceEvent(member));
        if (r.functionError() || !r.body().contains("\"statusCode\":200")) {
            throw new IllegalStateException(probe.label() + " (start-up run) failed: " + r.body());
        }
    }

    /** A minimal API Gateway HTTP API v2 event for GET /program/rules, admin caller. */
    static String rulesEvent() {
        long now = System.currentTimeMillis();
        return """
                {"version":"2.0","routeKey":"GET /program/rules","rawPath":"/program/rules",
                 "rawQueryString":"","headers":{"host":"localhost"},
                 "requestContext":{"accountId":"000000000000","apiId":"local",
                   "authorizer":{"jwt":{"claims":{"sub":"bench","scope":"points:admin"},"scopes":null}},
                   "domainName":"localhost","domainPrefix":"localhost",
                   "http":{"method":"GET","path":"/program/rules","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},
                   "requestId":"startup-%1$d","routeKey":"GET /program/rules","stage":"$default",
                   "time":"01/Jan/2026:00:00:00 +0000","timeEpoch":%1$d},
                 "isBase64Encoded":false}""".formatted(now);
    }

    /** A minimal API Gateway HTTP API v2 event for GET /members/{memberId}/balance, admin caller. */
    static String balanceEvent(String member) {
        long now = System.currentTimeMillis();
        return """
                {"version":"2.0","routeKey":"GET /members/{memberId}/balance","rawPath":"/members/%1$s/balance",
                 "rawQueryString":"","headers":{"host":"localhost"},
                 "requestContext":{"accountId":"000000000000","apiId":"local",
                   "authorizer":{"jwt":{"claims":{"sub":"bench","scope":"points:admin"},"scopes":null}},
                   "domainName":"localhost","domainPrefix":"localhost",
                   "http":{"method":"GET","path":"/members/%1$s/balance","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"bench"},
                   "requestId":"startup-%2$d","routeKey":"GET /members/{memberId}/balance","stage":"$default",
                   "time":"01/Jan/2026:00:00:00 +0000","timeEpoch":%2$d},
                 "pathParameters":{"memberId":"%1$s"},"isBase64Encoded":false}""".formatted(member, now);
    }

    /** Peak resident set (VmHWM, MB) of a process, from /proc; NaN where /proc is missing. */
    static double peakRssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private static String slug(Mode mode) {
        return mode.name().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(java.util.Locale.ROOT);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

}
