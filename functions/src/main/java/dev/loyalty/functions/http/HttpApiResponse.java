package dev.loyalty.functions.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Map;

/** The HTTP API (payload 2.0) response that API Gateway turns back into HTTP. */
@RegisterForReflection
public record HttpApiResponse(int statusCode, Map<String, String> headers, String body,
                              @JsonProperty("isBase64Encoded") boolean isBase64Encoded) {

    public String header(String name) {
        return headers == null ? null : headers.get(name);
    }
}
