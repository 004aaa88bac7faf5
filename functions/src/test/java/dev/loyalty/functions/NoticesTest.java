package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code points.expiring}: the notices Lambda (through its handler) emits one notice per lot
 * expiring within 30 days, and nothing the second time the same day.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Notices.class)
class NoticesTest extends SpendingSupport {

    @ConfigProperty(name = "loyalty.events.endpoint")
    String busEndpoint;

    @Test
    void onceNoticedALotIsNeverNoticedAgain() {
        String m = newMember();
        // SIGN_IN points expire after 30 days: earned 5 days ago, they expire in about 25.
        seed(m, 40, "SIGN_IN", Instant.now().minus(Duration.ofDays(5)));
        seed(m, 7, "SIGN_IN", Instant.now().minus(Duration.ofDays(2)));
        seed(m, 100, "PURCHASE", null); // a year away: not yet
        JsonNode first = Lambda.invoke(Lambda.sample("scheduled/notices.json"));
        assertTrue(first.get("finished").asBoolean(), first.toString());
        assertTrue(first.get("notices").asLong() >= 2, first.toString());
        JsonNode second = Lambda.invoke(Lambda.sample("scheduled/notices.json"));
        assertEquals(0, second.get("notices").asLong(), "the second run the same day emits nothing: " + second);

        List<JsonNode> got = new Bus(busEndpoint).received(m).stream()
                .filter(e -> e.get("detailType").asText().equals("points.expiring")).toList();
        assertEquals(2, got.size(), got.toString());
        assertEquals(List.of(40L, 7L), got.stream().map(e -> e.get("detail").get("data").get("points").asLong()).toList(),
                "one per lot, soonest first");
        assertEquals(List.of(4L, 5L), got.stream().map(e -> e.get("detail").get("sequence").asLong()).toList(),
                "in the member's sequence, after its three earns");
        long rows = db.read(tx -> tx.query("SELECT count(*) FROM expiry_notices WHERE member_id = $1", m).iterator().next().getLong(0));
        assertEquals(2, rows);
        assertEquals(List.of(), new Bus(busEndpoint).violations());
    }
}
