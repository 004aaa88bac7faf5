package dev.loyalty.functions.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import dev.loyalty.core.Refusal;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one place that turns results into HTTP: status codes, headers and problem+json bodies. */
@ApplicationScoped
public class Responses {
    public static final String JSON = "application/json";
    public static final String PROBLEM_JSON = "application/problem+json";
    /** Seconds a client should wait before retrying a 409 in-progress or a 503. */
    public static final int RETRY_AFTER_SECONDS = 1;

    private final ObjectMapper json;

    public Responses(ObjectMapper json) {
        this.json = json;
    }

    public HttpApiResponse ok(int status, Object body) {
        return new HttpApiResponse(status, Map.of("content-type", JSON), write(body), false);
    }

    /**
     * A rule's refusal as problem+json, the one mapping for every rule family: its code picks
     * the status; VALIDATION_FAILED lists the field in {@code errors[]}; the helpful amounts
     * and ids the contract names ride along ({@code available}, {@code reversible}, the original
     * {@code transactionId} of a reused reference).
     */
    public HttpApiResponse refusal(Refusal r, String requestId) {
        ApiError error = ApiError.valueOf(r.code());
        Map<String, Object> fields = new LinkedHashMap<>();
        switch (r) {
            case Refusal.InsufficientPoints i -> fields.put("available", i.available());
            case Refusal.NotReversible n -> fields.put("reversible", n.reversible());
            case Refusal.ReferenceAlreadyUsed u -> {
                if (u.transactionId() != null) {
                    fields.put("transactionId", u.transactionId());
                }
                if (u.holdId() != null) {
                    fields.put("holdId", u.holdId());
                }
            }
            case Refusal.OutOfStock o -> fields.put("stock", o.stock());
            case Refusal.ReturnExceedsPurchase x -> fields.put("returnable", x.returnable());
            case Refusal.RedemptionLimitReached l -> fields.put("limit", l.limit());
            case Refusal.RedemptionNotPending p -> fields.put("status", p.status().name());
            case Refusal.RulesVersionConflict c -> fields.put("latestEffectiveFrom", c.latestEffectiveFrom().toString());
            case Refusal.InvalidRuleSet i -> fields.put("errors", i.errors().stream()
                    .map(e -> new FieldError(e.path(), e.message())).toList());
            case Refusal.InvalidTierSet i -> fields.put("errors", i.errors().stream()
                    .map(e -> new FieldError(e.path(), e.message())).toList());
            default -> {
                // the others carry nothing beyond code, field and message
            }
        }
        if (error == ApiError.VALIDATION_FAILED && !fields.containsKey("errors")) {
            fields.put("errors", java.util.List.of(new FieldError(r.field(), r.message())));
        }
        return problem(error, r.message(), fields, requestId);
    }

    public HttpApiResponse problem(ApiException e, String requestId) {
        return problem(e.error, e.getMessage(), e.extra, requestId);
    }

    public HttpApiResponse problem(ApiError error, String detail, Map<String, Object> extra, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", error.typeUri());
        body.put("title", error.title);
        body.put("status", error.status);
        body.put("detail", detail);
        body.put("code", error.name());
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        body.putAll(extra);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", PROBLEM_JSON);
        if (error == ApiError.IDEMPOTENCY_IN_PROGRESS || error == ApiError.SERVICE_UNAVAILABLE) {
            headers.put("retry-after", Integer.toString(RETRY_AFTER_SECONDS));
        }
        return new HttpApiResponse(error.status, headers, write(body), false);
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }
}
