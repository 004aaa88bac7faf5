package dev.loyalty.devkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A stand-in for Amazon EventBridge's PutEvents API (the AWS JSON 1.1 protocol the SDK's
 * {@code EventBridgeClient} speaks: {@code X-Amz-Target: AWSEvents.PutEvents}), for the tests
 * and the local runner. It keeps every accepted entry in the order it accepted them and lists
 * them; it can be told to fail (for tests): each entry with a probability (a partial failure,
 * {@code InternalFailure}, as EventBridge answers when throttled or degraded), or every call
 * (HTTP 500, EventBridge down). Signatures are not checked.
 *
 * <p>Doors: {@code POST /} PutEvents; {@code GET /_local/events?memberId=&type=&after=} the
 * accepted entries in order ({@code after}: a receipt number, the {@code n} of an earlier item);
 * {@code POST /_local/events/fail?rate=0.5&seed=1&down=false} set failures ({@code rate=0} to heal).
 */
public final class EventBridgeStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kept at most; the oldest are dropped beyond it (a long local session). */
    static final int KEPT_MAX = 200_000;

    /** One accepted entry: its receipt number (1, 2, ...), when, and the entry as sent. */
    public record Received(long n, Instant receivedAt, String eventBusName, String source, String detailType, JsonNode detail) {
        public String memberId() {
            return detail.path("memberId").asText(null);
        }

        public String eventId() {
            return detail.path("eventId").asText(null);
        }

        public long sequence() {
            return detail.path("sequence").asLong(-1);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Function<Received, List<String>> validator;
    private long next = 1;
    private long dropped;
    private double failRate;
    private boolean down;
    private Random random = new Random(1);
    private long calls;

    /**
     * @param validator checks an entry (e.g. its detail against its JSON Schema) and returns what
     *                  is wrong; an entry with problems is still accepted, and its problems kept
     *                  ({@link #violations()}) for a test to fail on
     */
    public static EventBridgeStandIn start(String host, int port, Function<Received, List<String>> validator) throws IOException {
        return new EventBridgeStandIn(host, port, validator);
    }

    private EventBridgeStandIn(String host, int port, Function<Received, List<String>> validator) throws IOException {
        this.validator = validator == null ? r -> List.of() : validator;
        server = HttpServer.create(new InetSocketAddress(host, port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "eventbridge-stand-in");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String endpoint() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Entries fail with this probability (0 to 1), from a seeded random; {@code down}: every call fails. */
    public synchronized void failures(double rate, long seed, boolean down) {
        this.failRate = rate;
        this.random = new Random(seed);
        this.down = down;
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    public synchronized long calls() {
        return calls;
    }

    /** The accepted entries matching the filters (null: any), in order of acceptance. */
    public synchronized List<Received> list(String memberId, String type, long after) {
        List<Received> out = new ArrayList<>();
        for (Received r : received) {
            if (r.n() > after && (memberId == null || memberId.equals(r.memberId()))
                    && (type == null || type.equals(r.detailType()))) {
                out.add(r);
            }
        }
        return out;
    }

    /** The list door's JSON: {"items":[{n, receivedAt, eventBusName, source, detailType, detail}]}. */
    public String listJson(Map<String, String> query) {
        long after = query.containsKey("after") ? Long.parseLong(query.get("after")) : 0;
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (Received r : list(query.get("memberId"), query.get("type"), after)) {
            ObjectNode item = items.addObject();
            item.put("n", r.n());
            item.put("receivedAt", r.receivedAt().toString());
            item.put("eventBusName", r.eventBusName());
            item.put("source", r.source());
            item.put("detailType", r.detailType());
            item.set("detail", r.detail());
        }
        return out.toString();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/_local/events") && ex.getRequestMethod().equals("GET")) {
                send(ex, 200, "application/json", listJson(query));
            } else if (path.equals("/_local/events/fail") && ex.getRequestMethod().equals("POST")) {
                failures(Double.parseDouble(query.getOrDefault("rate", "0")), Long.parseLong(query.getOrDefault("seed", "1")),
                        Boolean.parseBoolean(query.getOrDefault("down", "false")));
                send(ex, 200, "application/json", "{\"rate\":" + failRate + ",\"down\":" + down + "}");
            } else if (path.equals("/_local/events/violations") && ex.getRequestMethod().equals("GET")) {
                send(ex, 200, "application/json", JSON.writeValueAsString(violations()));
            } else if (ex.getRequestMethod().equals("POST")
                    && "AWSEvents.PutEvents".equals(ex.getRequestHeaders().getFirst("X-Amz-Target"))) {
                putEvents(ex);
            } else {
                send(ex, 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"UnknownOperationException\",\"message\":\"only PutEvents is stood in for\"}");
            }
        } catch (RuntimeException e) {
            send(ex, 500, "application/x-amz-json-1.1", "{\"__type\":\"InternalException\",\"message\":\"" + e + "\"}");
        }
    }

    private void putEvents(HttpExchange ex) throws IOException {
        JsonNode request = JSON.readTree(ex.getRequestBody());
        ObjectNode response = JSON.createObjectNode();
        synchronized (this) {
            calls++;
            if (down) {
                send(ex, 500, "application/x-amz-json-1.1", "{\"__type\":\"InternalException\",\"message\":\"stand-in told to be down\"}");
                return;
            }
            ArrayNode results = response.putArray("Entries");
            int failed = 0;
            for (JsonNode e : request.path("Entries")) {
                ObjectNode result = results.addObject();
                if (failRate > 0 && random.nextDouble() < failRate) {
                    failed++;
                    result.put("ErrorCode", "InternalFailure");
                    result.put("ErrorMessage", "stand-in told to fail this entry");
                    continue;
                }
                JsonNode detail = JSON.readTree(e.path("Detail").asText("null"));
                Received r = new Received(next++, Instant.now(), e.path("EventBusName").asText(null),
                        e.path("Source").asText(null), e.path("DetailType").asText(null), detail);
                for (String problem : validator.apply(r)) {
                    violations.add(r.detailType() + " " + r.eventId() + ": " + problem);
                }
                received.add(r);
                if (received.size() > KEPT_MAX) {
                    received.remove(0);
                    dropped++;
                }
                result.put("EventId", UUID.randomUUID().toString());
            }
            response.put("FailedEntryCount", failed);
        }
        send(ex, 200, "application/x-amz-json-1.1", response.toString());
    }

    /** A URL query string as a map (the local runner's front door uses it too). */
    public static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
