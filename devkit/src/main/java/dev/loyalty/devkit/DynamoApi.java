package dev.loyalty.devkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The DynamoDB JSON API of a local endpoint (dynalite, or LocalStack where Docker exists),
 * spoken directly so that setting up tables needs no SDK on the caller's classpath.
 */
public final class DynamoApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public DynamoApi(String endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Creates a table from a definition file in {@code infra-terraform/tables/} (the file
     * Terraform reads too), under {@code tableName}. An existing table is left as it is.
     */
    public void createTable(Path definitionFile, String tableName) throws IOException {
        ObjectNode def = (ObjectNode) JSON.readTree(definitionFile.toFile());
        String ttlAttribute = def.path("TimeToLiveAttribute").asText(null);
        def.remove("TimeToLiveAttribute");
        def.put("TableName", tableName);
        JsonNode created = call("CreateTable", def);
        if (created.has("__type") && !created.get("__type").asText().endsWith("ResourceInUseException")) {
            throw new IOException("CreateTable failed: " + created);
        }
        if (ttlAttribute != null) {
            ObjectNode ttl = JSON.createObjectNode().put("TableName", tableName);
            ttl.putObject("TimeToLiveSpecification").put("AttributeName", ttlAttribute).put("Enabled", true);
            // dynalite has no TTL API (UnknownOperationException); AWS has it and Terraform sets it.
            call("UpdateTimeToLive", ttl);
        }
        for (int i = 0; i < 100; i++) {
            JsonNode described = call("DescribeTable", JSON.createObjectNode().put("TableName", tableName));
            if ("ACTIVE".equals(described.path("Table").path("TableStatus").asText())) {
                return;
            }
            sleep(50);
        }
        throw new IOException("table " + tableName + " did not become ACTIVE");
    }

    /** One DynamoDB JSON API call; dynalite checks that a SigV4 header exists, not its signature. */
    public JsonNode call(String operation, JsonNode body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "DynamoDB_20120810." + operation)
                .header("X-Amz-Date", "20260101T000000Z")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
