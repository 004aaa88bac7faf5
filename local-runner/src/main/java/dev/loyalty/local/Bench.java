package dev.loyalty.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./loyalty bench [--quick]}: the first scenarios of the benchmark suite, each against a
 * baseline measured in the same run on the same PostgreSQL, reported as ratios (these machines
 * are noisy, absolute figures are not comparable across runs).
 *
 * <ol>
 *   <li>Queue earn throughput (SQS batches of 10 and 100 through the earn-queue Lambda's real
 *       runtime path, idempotency on, durable commits) vs {@code pgbench -b tpcb-like}, both with
 *       one client.</li>
 *   <li>API earn latency, one client, through the front door (JWT check, API Gateway event,
 *       runtime API, handler) vs pgbench's single-client latency. (The contract's baseline also
 *       adds one conditional PutItem measured alone; not measured yet.)</li>
 * </ol>
 * The remaining scenarios of the suite (contention, sweep, reconcile, start-up, RSS, balance
 * p99 at 1M members) are not written yet.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Bench() {
    }

    record Row(String scenario, String figure, String baseline, String ratio) {
    }

    public static void run(Path root, boolean quick) throws Exception {
        int seconds = quick ? 8 : 60;
        Path home = Files.createTempDirectory("loyalty-bench");
        List<Row> rows = new ArrayList<>();
        try (LocalSystem system = LocalSystem.start(new LocalSystem.Options(root, home, 0,
                LocalSystem.findFunctionJar(root), "bench-secret", false))) {
            double[] pgbench = pgbench(system.databasePort(), seconds, rows);
            double pgbenchTps = pgbench[0];
            for (int batch : new int[]{10, 100}) {
                double earnsPerSecond = queueEarns(system, batch, seconds);
                rows.add(new Row("queue earn, SQS batches of " + batch + ", 1 client",
                        String.format(Locale.ROOT, "%.0f earns/s", earnsPerSecond),
                        String.format(Locale.ROOT, "pgbench tpcb-like %.0f tps", pgbenchTps),
                        String.format(Locale.ROOT, "%.2fx", earnsPerSecond / pgbenchTps)));
            }
            apiLatency(system, quick ? 300 : 3000, pgbench[1], rows);
        }
        StringBuilder md = new StringBuilder("# Benchmark results\n\n")
                .append("Run: ").append(Instant.now()).append(quick ? " (--quick)" : "").append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", embedded PostgreSQL, dynalite.\n\n")
                .append("| scenario | figure | baseline (same run) | ratio |\n|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.scenario()).append(" | ").append(r.figure()).append(" | ")
                    .append(r.baseline()).append(" | ").append(r.ratio()).append(" |\n");
        }
        System.out.println(md);
        Path out = root.resolve("bench").resolve("results.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println("written to " + out);
    }

    /** pgbench tpcb-like with one client on its own database in the same server: {tps, latency ms}. */
    static double[] pgbench(int port, int seconds, List<Row> rows) throws IOException, InterruptedException {
        exec(List.of("psql", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-qc",
                "DROP DATABASE IF EXISTS pgbench", "postgres"));
        exec(List.of("psql", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-qc",
                "CREATE DATABASE pgbench", "postgres"));
        exec(List.of("pgbench", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-i", "-s", "1", "-q", "pgbench"));
        String out = exec(List.of("pgbench", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-b", "tpcb-like",
                "-c", "1", "-j", "1", "-n", "-T", String.valueOf(seconds), "pgbench"));
        double tps = number(out, "tps = ([0-9.]+)");
        double latencyMs = number(out, "latency average = ([0-9.]+) ms");
        rows.add(new Row("baseline: pgbench tpcb-like, 1 client", String.format(Locale.ROOT, "%.0f tps", tps),
                String.format(Locale.ROOT, "latency %.2f ms", latencyMs), "1.00x"));
        return new double[]{tps, latencyMs};
    }

    static double queueEarns(LocalSystem system, int batch, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long applied = 0;
        long start = System.nanoTime();
        String run = UUID.randomUUID().toString().substring(0, 8);
        int n = 0;
        while (System.nanoTime() < deadline) {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < batch; i++, n++) {
                String body = "{\\\"memberId\\\":\\\"b" + run + "-" + (n % 1000) + "\\\",\\\"points\\\":1,\\\"type\\\":\\\"PURCHASE\\\",\\\"reference\\\":\\\"q-" + n + "\\\"}";
                records.append(i == 0 ? "" : ",").append("{\"messageId\":\"").append(run).append('-').append(n)
                        .append("\",\"receiptHandle\":\"h\",\"eventSource\":\"aws:sqs\",\"body\":\"").append(body).append("\"}");
            }
            RuntimeApi.Result r = system.function("earn-queue").invoke("{\"Records\":[" + records + "]}");
            JsonNode failures = JSON.readTree(r.body()).path("batchItemFailures");
            if (r.functionError() || failures.size() > 0) {
                throw new IllegalStateException("queue earn failed: " + r.body());
            }
            applied += batch;
        }
        return applied / ((System.nanoTime() - start) / 1e9);
    }

    static void apiLatency(LocalSystem system, int requests, double pgbenchLatencyMs, List<Row> rows) throws Exception {
        String token = system.jwt().mint("bench-partner", List.of("points:earn"), Instant.now());
        long[] micros = new long[requests];
        for (int i = 0; i < requests; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + system.port()
                            + "/members/api-" + (i % 100) + "/earn"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "bench-" + UUID.randomUUID())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"points\":1,\"type\":\"PURCHASE\",\"reference\":\"" + UUID.randomUUID() + "\"}"))
                    .timeout(Duration.ofSeconds(30)).build();
            long t = System.nanoTime();
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            micros[i] = (System.nanoTime() - t) / 1000;
            if (r.statusCode() != 201) {
                throw new IllegalStateException("earn failed: " + r.statusCode() + " " + r.body());
            }
        }
        Arrays.sort(micros);
        double p50 = micros[requests / 2] / 1000.0;
        double p99 = micros[(int) Math.min(requests - 1, Math.ceil(requests * 0.99) - 1)] / 1000.0;
        rows.add(new Row("API earn latency, 1 client, " + requests + " requests",
                String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms", p50, p99),
                String.format(Locale.ROOT, "pgbench single-client latency %.2f ms", pgbenchLatencyMs),
                String.format(Locale.ROOT, "p50 %.1fx", p50 / pgbenchLatencyMs)));
    }

    static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in: " + text);
        }
        return Double.parseDouble(m.group(1));
    }

    static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
