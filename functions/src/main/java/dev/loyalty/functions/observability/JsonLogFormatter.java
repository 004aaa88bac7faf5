package dev.loyalty.functions.observability;

import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log line: time, level, logger, message, the request fields from the MDC
 * (requestId, route, memberId) and the exception if any. CloudWatch Logs Insights queries
 * these fields directly. Written here because the quarkus-logging-json extension is not
 * available from the build's Maven mirror.
 */
public final class JsonLogFormatter extends ExtFormatter {

    @Override
    public String format(ExtLogRecord record) {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "time", Instant.ofEpochMilli(record.getMillis()).toString());
        field(json, "level", record.getLevel().getName());
        field(json, "logger", record.getLoggerName());
        field(json, "message", formatMessage(record));
        Map<String, String> mdc = new TreeMap<>(record.getMdcCopy());
        mdc.forEach((k, v) -> field(json, k, v));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            field(json, "exception", trace.toString());
        }
        json.setLength(json.length() - 1);
        return json.append("}\n").toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append('"').append(escape(name)).append("\":");
        if (value == null) {
            json.append("null");
        } else {
            json.append('"').append(escape(value)).append('"');
        }
        json.append(',');
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
