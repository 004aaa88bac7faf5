package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.functions.observability.JsonLogFormatter;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.MDC;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log line read back as JSON, with the request fields from the MDC. */
class JsonLogFormatterTest {
    @Test
    void aLineIsOneJsonObjectWithTheRequestFields() throws Exception {
        MDC.put("requestId", "req-1");
        MDC.put("memberId", "m-\"42\"");
        try {
            ExtLogRecord record = new ExtLogRecord(Level.INFO, "request done: status=%d", ExtLogRecord.FormatStyle.PRINTF,
                    "dev.loyalty.Test");
            record.setParameters(new Object[]{201});
            record.setLoggerName("dev.loyalty.Test");
            record.copyMdc();
            String line = new JsonLogFormatter().format(record);
            assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, "one line");
            JsonNode json = Lambda.JSON.readTree(line);
            assertEquals("INFO", json.get("level").asText());
            assertEquals("request done: status=201", json.get("message").asText());
            assertEquals("req-1", json.get("requestId").asText());
            assertEquals("m-\"42\"", json.get("memberId").asText());
            assertEquals("dev.loyalty.Test", json.get("logger").asText());
        } finally {
            MDC.remove("requestId");
            MDC.remove("memberId");
        }
    }
}
