package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' view of the EventBridge stand-in ({@link EventBusResource}), over its HTTP doors,
 * as the local runner's {@code /_local/events} serves it (so a test sees what the bus received,
 * whichever class loader started the stand-in).
 */
final class Bus {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String endpoint;

    Bus(String endpoint) {
        this.endpoint = endpoint;
    }

    /** What the bus accepted for {@code memberId} (all members: null), in order: each item's detail plus n, detailType, source, eventBusName. */
    List<JsonNode> received(String memberId) {
        JsonNode items = get("/_local/events" + (memberId == null ? "" : "?memberId=" + URLEncoder.encode(memberId, StandardCharsets.UTF_8)))
                .get("items");
        List<JsonNode> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    List<String> violations() {
        List<String> out = new ArrayList<>();
        get("/_local/events/violations").forEach(v -> out.add(v.asText()));
        return out;
    }

    void fail(double rate, long seed, boolean down) {
        send(HttpRequest.newBuilder(URI.create(endpoint + "/_local/events/fail?rate=" + rate + "&seed=" + seed + "&down=" + down))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    void heal() {
        fail(0, 1, false);
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(endpoint + path)).GET());
    }

    private static JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("stand-in answered " + r.statusCode() + ": " + r.body());
            }
            return Lambda.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
