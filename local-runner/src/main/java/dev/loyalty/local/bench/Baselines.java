package dev.loyalty.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.devkit.DynamoApi;
import dev.loyalty.local.LocalSystem;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The baselines the scenarios are held against, measured in the same run: {@code pgbench -b
 * tpcb-like} on its own database in the same PostgreSQL server (throughput, and per-transaction
 * latency from its log), and one conditional PutItem ({@code attribute_not_exists(pk)}, the
 * idempotency claim) against the same DynamoDB emulator, measured alone.
 */
final class Baselines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Baselines() {
    }

    /** pgbench's result: transactions per second and each transaction's latency. */
    record Pgbench(int clients, double tps, Histogram latency) {
    }

    static void initPgbench(int port) throws IOException, InterruptedException {
        psql(port, "postgres", "DROP DATABASE IF EXISTS pgbench");
        psql(port, "postgres", "CREATE DATABASE pgbench");
        exec(List.of("pgbench", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-i", "-s", "1", "-q", "pgbench"));
    }

    /** {@code pgbench -b tpcb-like -c clients -T seconds} with a per-transaction log for the latency histogram. */
    static Pgbench pgbench(int port, int clients, int seconds, Path workDir) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(workDir, "pgbench");
        String out = exec(List.of("pgbench", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-b", "tpcb-like",
                "-c", String.valueOf(clients), "-j", String.valueOf(Math.min(clients, 2)), "-n", "-T", String.valueOf(seconds),
                "-l", "--log-prefix=" + dir.resolve("log"), "pgbench"), dir);
        double tps = number(out, "tps = ([0-9.]+)");
        Histogram h = Latency.histogram();
        // Log lines: client_id transaction_no time_us script_no time_epoch time_us_part
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("log")).toList()) {
                try (Stream<String> lines = Files.lines(log)) {
                    lines.forEach(line -> {
                        String[] f = line.split(" ");
                        if (f.length >= 3) {
                            h.recordValue(Math.max(1, Math.min(Latency.HIGHEST_MICROS, Long.parseLong(f[2]))));
                        }
                    });
                }
            }
        }
        if (h.getTotalCount() == 0) {
            throw new IOException("pgbench wrote no transaction log in " + dir);
        }
        return new Pgbench(clients, tps, h);
    }

    /**
     * {@code requests} PutItems, each of a new key with {@code attribute_not_exists(pk)}, to the
     * idempotency table: the round trip the earn path pays to claim its key, alone.
     */
    static Histogram conditionalPut(LocalSystem system, int requests) throws IOException {
        DynamoApi dynamo = new DynamoApi(system.dynamoEndpoint());
        Histogram h = Latency.histogram();
        String run = UUID.randomUUID().toString();
        for (int i = 0; i < requests; i++) {
            ObjectNode put = JSON.createObjectNode().put("TableName", LocalSystem.IDEMPOTENCY_TABLE)
                    .put("ConditionExpression", "attribute_not_exists(pk)");
            ObjectNode item = put.putObject("Item");
            item.putObject("pk").put("S", "bench#" + run + "#" + i);
            item.putObject("status").put("S", "INPROGRESS");
            item.putObject("expiresAtEpochSecond").put("N", Long.toString(System.currentTimeMillis() / 1000 + 3600));
            long t = System.nanoTime();
            JsonNode r = dynamo.call("PutItem", put);
            long nanos = System.nanoTime() - t;
            if (r.has("__type")) {
                throw new IOException("PutItem failed: " + r);
            }
            if (i >= requests / 10) { // the first tenth warms the connection and dynalite up
                Latency.record(h, nanos);
            }
        }
        return h;
    }

    static String psql(int port, String database, String sql) throws IOException, InterruptedException {
        return exec(List.of("psql", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-qAtc", sql, database));
    }

    static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in: " + text);
        }
        return Double.parseDouble(m.group(1));
    }

    static String exec(List<String> command) throws IOException, InterruptedException {
        return exec(command, null);
    }

    static String exec(List<String> command, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().put("PGPASSWORD", "postgres");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
