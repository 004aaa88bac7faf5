package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds API Gateway v2 events from the samples in events/, changing only what a case needs. */
public final class ApiEvents {
    private ApiEvents() {
    }

    public static ObjectNode earn(String memberId, String body, String idempotencyKey) {
        ObjectNode e = Lambda.sample("api/earn.json");
        path(e, "POST", "/members/" + memberId + "/earn", "POST /members/{memberId}/earn", Map.of("memberId", memberId));
        e.put("body", body);
        ObjectNode headers = (ObjectNode) e.get("headers");
        headers.remove("content-length");
        if (idempotencyKey == null) {
            headers.remove("idempotency-key");
        } else {
            headers.put("idempotency-key", idempotencyKey);
        }
        return e;
    }

    /** A POST to a spending route, from the sample {@code api/<sample>.json}, as the member itself. */
    public static ObjectNode post(String sample, String memberId, String rawPath, Map<String, String> params, String body,
                                  String idempotencyKey) {
        ObjectNode e = Lambda.sample("api/" + sample + ".json");
        String routeKey = e.get("routeKey").asText();
        Map<String, String> all = new LinkedHashMap<>(params);
        all.put("memberId", memberId);
        path(e, "POST", rawPath, routeKey, all);
        if (body == null) {
            e.remove("body");
        } else {
            e.put("body", body);
        }
        ((ObjectNode) e.get("headers")).put("idempotency-key", idempotencyKey);
        return as(e, memberId, null);
    }

    public static ObjectNode balance(String memberId) {
        ObjectNode e = Lambda.sample("api/balance.json");
        path(e, "GET", "/members/" + memberId + "/balance", "GET /members/{memberId}/balance", Map.of("memberId", memberId));
        return as(e, memberId, null);
    }

    public static ObjectNode tier(String memberId) {
        ObjectNode e = Lambda.sample("api/member-tier.json");
        path(e, "GET", "/members/" + memberId + "/tier", "GET /members/{memberId}/tier", Map.of("memberId", memberId));
        return as(e, memberId, null);
    }

    public static ObjectNode statement(String memberId, Map<String, String> query) {
        ObjectNode e = history(memberId, query);
        path(e, "GET", "/members/" + memberId + "/statement", "GET /members/{memberId}/statement", Map.of("memberId", memberId));
        return e;
    }

    public static ObjectNode history(String memberId, Map<String, String> query) {
        ObjectNode e = Lambda.sample("api/history.json");
        path(e, "GET", "/members/" + memberId + "/transactions", "GET /members/{memberId}/transactions", Map.of("memberId", memberId));
        ObjectNode q = e.putObject("queryStringParameters");
        query.forEach(q::put);
        e.put("rawQueryString", query.entrySet().stream()
                .map(x -> x.getKey() + "=" + URLEncoder.encode(x.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
        if (query.isEmpty()) {
            e.remove("queryStringParameters");
        }
        return as(e, memberId, null);
    }

    public static ObjectNode path(ObjectNode e, String method, String rawPath, String routeKey, Map<String, String> params) {
        e.put("rawPath", rawPath);
        e.put("routeKey", routeKey);
        ObjectNode ctx = (ObjectNode) e.get("requestContext");
        ctx.put("routeKey", routeKey);
        ((ObjectNode) ctx.get("http")).put("method", method).put("path", rawPath);
        ObjectNode p = e.putObject("pathParameters");
        params.forEach(p::put);
        return e;
    }

    /** Replaces the authorizer claims: subject and space-separated scopes (null = no scope claim). */
    public static ObjectNode as(ObjectNode e, String sub, String scope) {
        ObjectNode claims = (ObjectNode) e.at("/requestContext/authorizer/jwt/claims");
        claims.put("sub", sub);
        if (scope == null) {
            claims.remove("scope");
        } else {
            claims.put("scope", scope);
        }
        return e;
    }

    public static ObjectNode anonymous(ObjectNode e) {
        ((ObjectNode) e.get("requestContext")).remove("authorizer");
        return e;
    }

    /** The parsed body of a Lambda HTTP response. */
    public static JsonNode body(JsonNode response) {
        try {
            return Lambda.JSON.readTree(response.get("body").asText());
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    public static Map<String, String> headers(JsonNode response) {
        Map<String, String> out = new LinkedHashMap<>();
        response.get("headers").fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
        return out;
    }
}
