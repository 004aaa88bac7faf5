package dev.loyalty.local.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./loyalty import FILE [--dry-run] [--batch-size N] [--url URL]}: lots from another
 * provider into the ledger through the queue path.
 *
 * <p>Validates the whole file first ({@link ImportFile}); with errors, or with
 * {@code --dry-run}, it prints the report and sends nothing. Otherwise it sends the records in
 * batches as SQS events (the earn-queue function's own input, {@code events/samples/sqs/}) to
 * the local runner's {@code POST /_local/sqs/earn}. A record the function lists in
 * {@code batchItemFailures} (transient) or a batch answered 5xx or not at all is sent again,
 * up to {@link #ATTEMPTS_MAX} times with a growing pause, as SQS would redeliver it. Exactly
 * once needs nothing more: each earn is keyed by (member, reference) in the ledger, so a
 * record sent twice, or a whole import run again, applies once and is answered as a replay.
 */
public final class Importer {
    public static final int BATCH_SIZE_DEFAULT = 100;
    /** The SQS event source's ceiling per invocation is 10,000; the local door's body limit is lower. */
    public static final int BATCH_SIZE_MAX = 500;
    public static final int ATTEMPTS_MAX = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run did: records sent, batches, re-sends, and whether it finished. */
    public record Result(int exitCode, int records, int batches, int resent) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PrintStream out;
    private final PrintStream err;

    public Importer(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new Importer(System.out, System.err).run(args).exitCode());
    }

    public Result run(String[] args) throws IOException, InterruptedException {
        Path file = null;
        boolean dryRun = false;
        int batchSize = BATCH_SIZE_DEFAULT;
        String url = "http://localhost:" + System.getenv().getOrDefault("LOYALTY_PORT", "8080") + "/_local/sqs/earn";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dry-run" -> dryRun = true;
                case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
                case "--url" -> url = args[++i];
                default -> {
                    if (file != null || args[i].startsWith("--")) {
                        return usage();
                    }
                    file = Path.of(args[i]);
                }
            }
        }
        if (file == null || batchSize < 1 || batchSize > BATCH_SIZE_MAX) {
            return usage();
        }
        ImportFile.Report report = ImportFile.read(file, Instant.now());
        out.print(report.describe());
        if (!report.valid()) {
            err.println("import: " + report.errors().size() + " errors, nothing sent");
            return new Result(1, 0, 0, 0);
        }
        if (dryRun) {
            out.println("dry run: nothing sent");
            return new Result(0, 0, 0, 0);
        }
        return send(report.records(), batchSize, URI.create(url));
    }

    private Result usage() {
        err.println("usage: ./loyalty import FILE [--dry-run] [--batch-size 1.." + BATCH_SIZE_MAX + "] [--url URL]");
        return new Result(2, 0, 0, 0);
    }

    Result send(List<ImportRecord> records, int batchSize, URI url) throws InterruptedException {
        int done = 0;
        int batches = 0;
        int resent = 0;
        progress(0, records.size());
        for (int start = 0; start < records.size(); start += batchSize) {
            List<ImportRecord> pending = records.subList(start, Math.min(records.size(), start + batchSize));
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                if (attempt > ATTEMPTS_MAX) {
                    err.println();
                    err.println("import: " + pending.size() + " records still failing after " + ATTEMPTS_MAX
                            + " attempts (first: line " + pending.get(0).line() + "); " + done
                            + " applied. Run the same import again: applied records are not applied twice.");
                    return new Result(1, done, batches, resent);
                }
                if (attempt > 1) {
                    resent += pending.size();
                    Thread.sleep(200L << (attempt - 2));
                }
                batches++;
                Set<String> failed = post(url, pending, attempt);
                int acknowledged = pending.size() - failed.size();
                done += acknowledged;
                progress(done, records.size());
                pending = pending.stream().filter(r -> failed.contains(r.messageId())).toList();
            }
        }
        err.println();
        out.println("imported " + done + " records in " + batches + " batches (" + resent + " re-sent)");
        return new Result(0, done, batches, resent);
    }

    /** The message ids to send again: the function's batchItemFailures, or all on a failed call. */
    private Set<String> post(URI url, List<ImportRecord> batch, int attempt) throws InterruptedException {
        Set<String> all = new HashSet<>();
        batch.forEach(r -> all.add(r.messageId()));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(event(batch, attempt))).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return all;
            }
            JsonNode failures = JSON.readTree(response.body()).path("batchItemFailures");
            Set<String> failed = new HashSet<>();
            failures.forEach(f -> failed.add(f.path("itemIdentifier").asText()));
            failed.retainAll(all);
            return failed;
        } catch (IOException e) {
            return all;
        }
    }

    /** An SQS event as the Lambda event source mapping delivers it. */
    static String event(List<ImportRecord> batch, int attempt) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        long sent = System.currentTimeMillis();
        for (ImportRecord r : batch) {
            ObjectNode rec = records.addObject();
            rec.put("messageId", r.messageId());
            rec.put("receiptHandle", r.messageId() + "#" + attempt);
            rec.put("body", r.messageBody());
            ObjectNode attributes = rec.putObject("attributes");
            attributes.put("ApproximateReceiveCount", Integer.toString(attempt));
            attributes.put("SentTimestamp", Long.toString(sent));
            attributes.put("SenderId", "loyalty-import");
            attributes.put("ApproximateFirstReceiveTimestamp", Long.toString(sent));
            rec.putObject("messageAttributes");
            rec.put("md5OfBody", md5(r.messageBody()));
            rec.put("eventSource", "aws:sqs");
            rec.put("eventSourceARN", "arn:aws:sqs:local:000000000000:loyalty-earn");
            rec.put("awsRegion", "local");
        }
        return event.toString();
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A one-line bar on stderr, redrawn in place. */
    private void progress(int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        err.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total
                + (total == 0 ? "" : " " + (done * 100L / total) + "%"));
        err.flush();
    }
}
