package dev.loyalty.local.importer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * One validated lot to import, from line {@code line} of the file. Its SQS message id is
 * derived from (member, reference), so the same record always travels under the same id (a
 * parked copy of it is found again under that id), and its earn is exactly-once by the ledger's
 * (member, EARN, reference) whatever the number of runs.
 */
public record ImportRecord(int line, String memberId, long points, String type, Instant earnedAt,
                           Instant expiresAt, String reference) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The earn message body of events/schemas/earn-message.schema.json. */
    public String messageBody() {
        ObjectNode body = JSON.createObjectNode();
        body.put("memberId", memberId);
        body.put("points", points);
        body.put("type", type);
        body.put("reference", reference);
        body.put("occurredAt", earnedAt.toString());
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        return body.toString();
    }

    public String messageId() {
        return "import-" + UUID.nameUUIDFromBytes((memberId + "\n" + reference).getBytes(StandardCharsets.UTF_8));
    }
}
