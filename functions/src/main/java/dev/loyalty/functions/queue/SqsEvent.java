package dev.loyalty.functions.queue;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/** The SQS event as Lambda's event source mapping delivers it (only the fields read here). */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record SqsEvent(@JsonProperty("Records") List<Record> records) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Record(String messageId, String receiptHandle, String body, Map<String, String> attributes,
                         String eventSource, String eventSourceARN, String awsRegion) {

        /** SentTimestamp (epoch ms) when present: when the producer sent it. */
        public Long sentTimestampMs() {
            String v = attributes == null ? null : attributes.get("SentTimestamp");
            try {
                return v == null ? null : Long.parseLong(v);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
