package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.core.MemberId;
import dev.loyalty.core.spend.RedeemCommand;
import dev.loyalty.functions.http.HttpApiEvent;
import dev.loyalty.functions.reports.ReportsFunction;
import dev.loyalty.functions.spend.SpendResult;
import dev.loyalty.functions.spend.SpendService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The experiment report: business events through the earn Lambda (a rule set with an A/B
 * experiment whose "boost" variant earns 5 more), redeems, then the report answered by the
 * reports function's handler method with an API Gateway event. The experiment id is this run's
 * own, so other tests' events never count.
 */
@QuarkusTest
@TestProfile(FunctionProfile.Earn.class)
class ExperimentReportTest extends LedgerTestSupport {
    @Inject
    ReportsFunction reports;
    @Inject
    SpendService spend;

    @Test
    void perVariantMembersEventsIssuedAndRedeemed() throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String exp = "exp-" + run;
        String name = "visit_" + run;
        JsonNode published = BusinessEventsTest.publish("""
                {"rules":[{"id":"visit-%1$s","event":"%2$s","pointType":"PURCHASE","points":10},
                          {"id":"boost-%1$s","event":"%2$s","pointType":"BONUS","points":5,
                           "when":{"variant":{"experiment":"%3$s","is":"boost"}}}],
                 "experiments":[{"id":"%3$s","variants":{"control":50,"boost":50}}]}""".formatted(run, name, exp));
        assertEquals(201, published.get("statusCode").asInt(), published.toString());
        Instant start = Instant.now().minusSeconds(1);
        // 12 members, each sends 2 events; every third also redeems 7. A member's variant is read
        // from what its first event earned (15 with the boost, 10 without). (Not from the core's hash
        // here: the stored rule set is jsonb, which does not keep the variants' listed order.)
        Map<String, long[]> expected = new TreeMap<>(); // variant -> members, events, issued, redeemed
        // (More members while one variant is still empty: 12 all in one has a chance of 1 in 2,048.)
        for (int i = 0; i < 60 && (i < 12 || expected.size() < 2); i++) {
            String m = "m-exp-" + run + "-" + i;
            String variant = null;
            long[] e = null;
            for (int k = 0; k < 2; k++) {
                JsonNode r = BusinessEventsTest.post(m, "{\"event\":\"" + name + "\",\"reference\":\"v-" + k + "\"}");
                assertEquals(201, r.get("statusCode").asInt(), r.toString());
                long points = body(r).get("points").asLong();
                if (variant == null) {
                    variant = points == 15 ? "boost" : "control";
                    e = expected.computeIfAbsent(variant, v -> new long[4]);
                    e[0]++;
                }
                assertEquals(variant.equals("boost") ? 15 : 10, points, "a member's variant is stable");
                e[1]++;
                e[2] += points;
            }
            if (i % 3 == 0) {
                assertInstanceOf(SpendResult.Done.class, spend.redeem(new MemberId(m), new RedeemCommand(7, "exp-r", null)));
                e[3] += 7;
            }
        }
        assertEquals(2, expected.size(), "members land in both variants");

        JsonNode answer = report("/reports/experiments/" + exp, start, Instant.now().plus(Duration.ofMinutes(1)));
        assertEquals(200, answer.get("statusCode").asInt(), answer.toString());
        JsonNode b = body(answer);
        assertEquals(exp, b.get("experimentId").asText());
        assertEquals("primary", b.get("readFrom").asText());
        Map<String, long[]> actual = new TreeMap<>();
        b.get("variants").forEach(v -> actual.put(v.get("variant").asText(), new long[]{v.get("members").asLong(),
                v.get("events").asLong(), v.get("pointsIssued").asLong(), v.get("pointsRedeemed").asLong()}));
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((v, e) -> assertTrue(java.util.Arrays.equals(e, actual.get(v)),
                v + ": expected " + java.util.Arrays.toString(e) + " got " + java.util.Arrays.toString(actual.get(v))));

        // Another experiment id: nothing.
        JsonNode none = body(report("/reports/experiments/other-" + run, start, Instant.now().plusSeconds(60)));
        assertEquals(0, none.get("variants").size());
    }

    JsonNode report(String path, Instant from, Instant to) throws Exception {
        ObjectNode e = ApiEvents.history("ops", Map.of("from", from.toString(), "to", to.toString()));
        ApiEvents.path(e, "GET", path, "GET /reports/experiments/{experimentId}",
                Map.of("experimentId", path.substring("/reports/experiments/".length())));
        ApiEvents.as(e, "ops", "points:admin");
        return Lambda.JSON.valueToTree(reports.reports(Lambda.JSON.treeToValue(e, HttpApiEvent.class)));
    }
}
