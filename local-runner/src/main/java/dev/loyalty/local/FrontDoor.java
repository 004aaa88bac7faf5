package dev.loyalty.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loyalty.contract.ApiRoute;
import dev.loyalty.contract.ApiRoutes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * What API Gateway does in front of the functions: check the bearer token like the JWT
 * authorizer, match the route, turn the request into an HTTP API payload 2.0 event, invoke the
 * route's function and turn its answer back into HTTP.
 */
public final class FrontDoor implements AutoCloseable {
    /** API Gateway's own payload cap is 10 MB; the functions enforce their smaller limit. */
    static final int MAX_REQUEST_BYTES = 10 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /** A local-only extra route: the path prefix and the handler that takes the raw body. */
    public interface LocalRoute {
        RuntimeApi.Result handle(String body) throws TimeoutException;
    }

    private final HttpServer server;
    private final Map<String, FunctionPool> functions;
    private final Map<String, LocalRoute> localRoutes;
    /** Local doors answered from the query string ("GET /_local/events"), e.g. the EventBridge stand-in's. */
    private final Map<String, java.util.function.Function<String, String>> queryRoutes = new java.util.concurrent.ConcurrentHashMap<>();

    /** Serves {@code method path} from its raw query string (null when absent). */
    public void queryRoute(String method, String path, java.util.function.Function<String, String> handler) {
        queryRoutes.put(method + " " + path, handler);
    }
    private final Jwt jwt;

    public FrontDoor(int port, Map<String, FunctionPool> functions, Map<String, LocalRoute> localRoutes, Jwt jwt)
            throws IOException {
        this.functions = functions;
        this.localRoutes = localRoutes;
        this.jwt = jwt;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        // The exchange is closed only after the answer: a try-with-resources would close it
        // before its catch clauses ran, and a 502 or 504 would go out as a dropped connection.
        try (ex) {
            answer(ex);
        }
    }

    private void answer(HttpExchange ex) throws IOException {
        try {
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = ex.getRequestURI().getRawPath();
            byte[] body = readCapped(ex.getRequestBody());
            if (body == null) {
                problem(ex, 413, "PAYLOAD_TOO_LARGE", "request body over " + MAX_REQUEST_BYTES + " bytes");
                return;
            }
            if (path.equals(CONSOLE_PATH) || path.startsWith(CONSOLE_PATH + "/")) {
                console(ex, method, path);
                return;
            }
            if (method.equals("POST") && path.equals("/_local/token")) {
                mintToken(ex, body);
                return;
            }
            java.util.function.Function<String, String> byQuery = queryRoutes.get(method + " " + path);
            if (byQuery != null) {
                send(ex, 200, "application/json", byQuery.apply(ex.getRequestURI().getRawQuery()).getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            if (path.startsWith("/_local/")) {
                LocalRoute local = method.equals("POST") ? localRoutes.get(path) : null;
                if (local == null) {
                    problem(ex, 404, "NOT_FOUND", "no local route " + method + " " + path);
                    return;
                }
                RuntimeApi.Result r = local.handle(new String(body, StandardCharsets.UTF_8));
                send(ex, r.functionError() ? 502 : 200, "application/json", r.body().getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            ApiRoutes.Resolution resolution = ApiRoutes.resolve(ApiRoutes.SERVED, method, path);
            switch (resolution) {
                case ApiRoutes.Resolution.NotFound n -> problem(ex, 404, "NOT_FOUND", "no route for " + method + " " + path);
                case ApiRoutes.Resolution.MethodNotAllowed m -> {
                    ex.getResponseHeaders().add("Allow", String.join(", ", m.allowed()));
                    problem(ex, 405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path);
                }
                case ApiRoutes.Resolution.Found f -> dispatch(ex, method, path, body, f.route(), f.pathParameters());
            }
        } catch (TimeoutException e) {
            problem(ex, 504, "GATEWAY_TIMEOUT", "the function did not answer in time");
        } catch (RuntimeException e) {
            // e.g. the function's environment died during the invocation (it is being replaced)
            problem(ex, 502, "BAD_GATEWAY", "the function failed: " + e.getMessage());
        }
    }

    /** Where the operator console is served (the static bundle from local-runner/console). */
    public static final String CONSOLE_PATH = "/console";
    /** The bundle inside the local runner's jar (Maven copies local-runner/console/dist there). */
    static final String CONSOLE_RESOURCES = "console/";
    /** Scopes the local token door mints: the API's own. */
    static final java.util.Set<String> MINTABLE_SCOPES = java.util.Set.of("points:admin", "points:earn", "points:fulfil");
    private static final java.util.regex.Pattern SUBJECT = java.util.regex.Pattern.compile("[A-Za-z0-9_.:@-]{1,64}");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "json", "application/json", "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon",
            "woff2", "font/woff2", "map", "application/json");

    /**
     * The console's static files, from the jar (or {@code LOYALTY_CONSOLE_DIR}, a built dist/
     * folder, for working on the console). Like the S3 + CloudFront deployment: GET and HEAD
     * only, index.html for the folder, hashed assets cached for good, the rest revalidated.
     */
    private void console(HttpExchange ex, String method, String path) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().add("Allow", "GET, HEAD");
            problem(ex, 405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path);
            return;
        }
        if (path.equals(CONSOLE_PATH)) {
            ex.getResponseHeaders().set("Location", CONSOLE_PATH + "/");
            send(ex, 308, "text/plain", new byte[0], Map.of());
            return;
        }
        String rel = URLDecoder.decode(path.substring(CONSOLE_PATH.length() + 1), StandardCharsets.UTF_8);
        if (rel.isEmpty()) {
            rel = "index.html";
        }
        if (rel.contains("..") || rel.contains("\\") || rel.startsWith("/")) {
            problem(ex, 404, "NOT_FOUND", "no console file " + path);
            return;
        }
        byte[] bytes = consoleFile(rel);
        if (bytes == null) {
            boolean built = consoleFile("index.html") != null;
            problem(ex, 404, "NOT_FOUND", built ? "no console file " + path
                    : "the console is not built: it needs node and npm when the project is built (./loyalty build)");
            return;
        }
        String ext = rel.substring(rel.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        if (method.equals("HEAD")) {
            headers.put("Content-Length", Integer.toString(bytes.length));
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.getResponseHeaders().set("Content-Type", CONTENT_TYPES.getOrDefault(ext, "application/octet-stream"));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        send(ex, 200, CONTENT_TYPES.getOrDefault(ext, "application/octet-stream"), bytes, headers);
    }

    private static byte[] consoleFile(String rel) throws IOException {
        String dir = System.getenv("LOYALTY_CONSOLE_DIR");
        if (dir != null && !dir.isBlank()) {
            java.nio.file.Path root = java.nio.file.Path.of(dir).toAbsolutePath().normalize();
            java.nio.file.Path file = root.resolve(rel).normalize();
            return file.startsWith(root) && java.nio.file.Files.isRegularFile(file) ? java.nio.file.Files.readAllBytes(file) : null;
        }
        try (InputStream in = FrontDoor.class.getClassLoader().getResourceAsStream(CONSOLE_RESOURCES + rel)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * {@code POST /_local/token}: the local operator's sign-in. Mints a token like
     * {@code ./loyalty token} does ({@code {"sub": "operator", "scopes": ["points:admin"]}} by
     * default), signed with the local secret and valid for {@link Jwt#TTL_SECONDS}. Only the
     * local runner has this door (it listens on 127.0.0.1); API Gateway has no such route and
     * a deployed console signs in with OIDC instead.
     */
    private void mintToken(HttpExchange ex, byte[] body) throws IOException {
        JsonNode request;
        try {
            request = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            problem(ex, 400, "VALIDATION_FAILED", "the body is not JSON");
            return;
        }
        String sub = request.path("sub").asText("operator");
        List<String> scopes = new java.util.ArrayList<>();
        if (request.has("scopes")) {
            request.path("scopes").forEach(s -> scopes.add(s.asText()));
        } else {
            scopes.add("points:admin");
        }
        if (!SUBJECT.matcher(sub).matches() || !MINTABLE_SCOPES.containsAll(scopes)) {
            problem(ex, 400, "VALIDATION_FAILED", "sub: 1 to 64 of [A-Za-z0-9_.:@-]; scopes: any of " + new java.util.TreeSet<>(MINTABLE_SCOPES));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("token", jwt.mint(sub, scopes, Instant.now()));
        out.put("sub", sub);
        out.put("scope", String.join(" ", scopes));
        out.put("expiresIn", Jwt.TTL_SECONDS);
        send(ex, 200, "application/json", JSON.writeValueAsBytes(out), Map.of("Cache-Control", "no-store"));
    }

    private void dispatch(HttpExchange ex, String method, String path, byte[] body, ApiRoute route,
                          Map<String, String> pathParameters) throws IOException, TimeoutException {
        Optional<Map<String, String>> claims = bearer(ex).flatMap(t -> jwt.verify(t, Instant.now()));
        if (claims.isEmpty()) {
            problem(ex, 401, "UNAUTHORIZED", "a valid bearer token is required (./loyalty token SUB [SCOPE...])");
            return;
        }
        FunctionPool api = functions.get(route.function());
        if (api == null) {
            problem(ex, 503, "SERVICE_UNAVAILABLE", "function " + route.function() + " is not running");
            return;
        }
        ObjectNode event = event(ex, method, path, body, route, pathParameters, claims.get());
        RuntimeApi.Result result = api.invoke(JSON.writeValueAsString(event));
        if (result.functionError()) {
            // API Gateway answers an unhandled function error with a bare 500.
            problem(ex, 500, "INTERNAL_ERROR", "the function failed");
            return;
        }
        JsonNode response = JSON.readTree(result.body());
        int status = response.path("statusCode").asInt(200);
        Map<String, String> headers = new LinkedHashMap<>();
        response.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        String text = response.path("body").asText("");
        byte[] bytes = response.path("isBase64Encoded").asBoolean(false)
                ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        send(ex, status, headers.getOrDefault("content-type", "application/json"), bytes, headers);
    }

    /** The HTTP API payload format 2.0, field for field as API Gateway builds it. */
    static ObjectNode event(HttpExchange ex, String method, String path, byte[] body, ApiRoute route,
                            Map<String, String> pathParameters, Map<String, String> claims) {
        Instant now = Instant.now();
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", route.routeKey());
        e.put("rawPath", path);
        String rawQuery = ex.getRequestURI().getRawQuery();
        e.put("rawQueryString", rawQuery == null ? "" : rawQuery);
        ObjectNode headers = e.putObject("headers");
        ex.getRequestHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("authorization")) {
                headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values));
            } else {
                headers.put("authorization", values.get(0));
            }
        });
        if (rawQuery != null && !rawQuery.isEmpty()) {
            ObjectNode q = e.putObject("queryStringParameters");
            Map<String, String> params = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                int i = pair.indexOf('=');
                String k = URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8);
                String v = i < 0 ? "" : URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8);
                params.merge(k, v, (a, b) -> a + "," + b); // API Gateway joins repeated keys with commas
            }
            params.forEach(q::put);
        }
        String requestId = Base64.getEncoder().withoutPadding().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", "000000000000");
        ctx.put("apiId", "local");
        ObjectNode jwtNode = ctx.putObject("authorizer").putObject("jwt");
        ObjectNode c = jwtNode.putObject("claims");
        claims.forEach(c::put);
        jwtNode.putNull("scopes");
        ctx.put("domainName", "localhost");
        ctx.put("domainPrefix", "localhost");
        ObjectNode http = ctx.putObject("http");
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", ex.getProtocol());
        http.put("sourceIp", ex.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", ex.getRequestHeaders().getFirst("User-Agent"));
        ctx.put("requestId", requestId);
        ctx.put("routeKey", route.routeKey());
        ctx.put("stage", "$default");
        ctx.put("time", CLF.format(now));
        ctx.put("timeEpoch", now.toEpochMilli());
        if (!pathParameters.isEmpty()) {
            ObjectNode p = e.putObject("pathParameters");
            pathParameters.forEach(p::put);
        }
        if (body.length > 0) {
            String contentType = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).toLowerCase(Locale.ROOT);
            boolean text = contentType.contains("json") || contentType.startsWith("text/") || contentType.equals("null");
            e.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", !text);
        } else {
            e.put("isBase64Encoded", false);
        }
        return e;
    }

    private static Optional<String> bearer(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(h.substring(7).trim());
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
        return bytes.length > MAX_REQUEST_BYTES ? null : bytes;
    }

    static void problem(HttpExchange ex, int status, String code, String detail) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "https://loyalty.dev/problems/" + code.toLowerCase(Locale.ROOT).replace('_', '-'));
        p.put("title", code.charAt(0) + code.substring(1).toLowerCase(Locale.ROOT).replace('_', ' '));
        p.put("status", status);
        p.put("detail", detail);
        p.put("code", code);
        send(ex, status, "application/problem+json", JSON.writeValueAsBytes(p), Map.of());
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length")) {
                ex.getResponseHeaders().set(k, v);
            }
        });
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
