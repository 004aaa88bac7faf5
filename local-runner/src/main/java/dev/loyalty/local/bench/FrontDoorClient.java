package dev.loyalty.local.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * HTTP calls to the local front door (API Gateway HTTP API in front of the Lambdas), as an
 * admin caller, and a closed-loop load driver: N clients, each sending its requests one after
 * the other and recording each latency in its own histogram.
 */
final class FrontDoorClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    FrontDoorClient(int port, String token) {
        this.base = "http://localhost:" + port;
        this.token = token;
    }

    record Response(int status, String body, long nanos) {
    }

    Response post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-" + UUID.randomUUID())
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A PUT; with an Idempotency-Key, which PUT /program/rules and /program/tiers need (a reward's PUT ignores it). */
    Response put(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench-" + UUID.randomUUID())
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A business event: a purchase of {@code amount} minor units (the bench's rule set: 1 point per 100). */
    Response event(String member, long amount) throws IOException, InterruptedException {
        return post("/members/" + member + "/events",
                "{\"event\":\"purchase\",\"amount\":" + amount + ",\"reference\":\"" + UUID.randomUUID() + "\"}");
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Response earn(String member, long points) throws IOException, InterruptedException {
        return post("/members/" + member + "/earn",
                "{\"points\":" + points + ",\"type\":\"PURCHASE\",\"reference\":\"" + UUID.randomUUID() + "\"}");
    }

    Response redeem(String member, long points) throws IOException, InterruptedException {
        return post("/members/" + member + "/redeem", "{\"points\":" + points + ",\"reference\":\"" + UUID.randomUUID() + "\"}");
    }

    private Response send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpRequest request = b.header("Authorization", "Bearer " + token).timeout(REQUEST_TIMEOUT).build();
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), System.nanoTime() - t);
    }

    /** One request of client {@code client}, number {@code i}; throws on a functional failure. */
    interface Call {
        Response call(int client, int i) throws Exception;
    }

    record LoadResult(Histogram latency, double seconds) {
        double perSecond() {
            return latency.getTotalCount() / seconds;
        }
    }

    /** {@code clients} closed-loop clients, {@code requestsPerClient} each; the first failure ends the run. */
    static LoadResult load(int clients, int requestsPerClient, Call call) throws Exception {
        return load(clients, requestsPerClient, Duration.ofDays(1), call);
    }

    /**
     * As {@link #load(int, int, Call)}, but each client also stops at {@code timeLimit}: a quick
     * run on a busy machine stays within its time (the histogram says how many were sent).
     */
    static LoadResult load(int clients, int requestsPerClient, Duration timeLimit, Call call) throws Exception {
        long deadline = System.nanoTime() + timeLimit.toNanos();
        List<Histogram> histograms = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            histograms.add(Latency.histogram());
        }
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < requestsPerClient && System.nanoTime() < deadline; i++) {
                        Response r = call.call(client, i);
                        Latency.record(histograms.get(client), r.nanos());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    pool.shutdownNow();
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram all = Latency.histogram();
        histograms.forEach(all::add);
        return new LoadResult(all, seconds);
    }
}
