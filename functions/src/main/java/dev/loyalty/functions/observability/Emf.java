package dev.loyalty.functions.observability;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * CloudWatch Embedded Metric Format: one JSON line on stdout per measurement, which
 * CloudWatch Logs turns into metrics with no API call from the function (the Lambda-native
 * way). Dimensions are kept few and low-cardinality (function, and route or outcome); member
 * ids and keys never become dimensions.
 */
public final class Emf {
    public static final String NAMESPACE = "LoyaltyLedger";

    private Emf() {
    }

    /** Writes one EMF record: {@code metrics} are counts unless their name ends in "Ms" (milliseconds). */
    public static void emit(PrintStream out, Map<String, String> dimensions, Map<String, Long> metrics) {
        StringBuilder json = new StringBuilder(256);
        json.append("{\"_aws\":{\"Timestamp\":").append(Instant.now().toEpochMilli())
                .append(",\"CloudWatchMetrics\":[{\"Namespace\":\"").append(NAMESPACE).append("\",\"Dimensions\":[[");
        String sep = "";
        for (String d : new TreeMap<>(dimensions).keySet()) {
            json.append(sep).append('"').append(escape(d)).append('"');
            sep = ",";
        }
        json.append("]],\"Metrics\":[");
        sep = "";
        for (String m : new TreeMap<>(metrics).keySet()) {
            json.append(sep).append("{\"Name\":\"").append(escape(m)).append("\",\"Unit\":\"")
                    .append(m.endsWith("Ms") ? "Milliseconds" : "Count").append("\"}");
            sep = ",";
        }
        json.append("]}]}");
        new TreeMap<>(dimensions).forEach((k, v) -> json.append(",\"").append(escape(k)).append("\":\"").append(escape(v)).append('"'));
        new TreeMap<>(metrics).forEach((k, v) -> json.append(",\"").append(escape(k)).append("\":").append(v));
        json.append('}');
        out.println(json);
    }

    public static void emit(Map<String, String> dimensions, Map<String, Long> metrics) {
        emit(System.out, dimensions, metrics);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
