package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PostgreSQL down under a batch: every record is reported back for retry, the bad one too
 * (it cannot be parked right now, and it must never be dropped); the claims are released, so
 * the redelivery runs.
 */
@QuarkusTest
@TestProfile(FunctionProfile.EarnQueuePostgresDown.class)
class QueuePostgresDownTest {

    @Test
    void everyRecordIsReportedForRetryAndNoneIsDropped() {
        String prefix = "pgdown-" + UUID.randomUUID();
        String m = "m-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode response = Lambda.invoke(QueueEarnFunctionTest.batch(prefix, List.of(
                QueueEarnFunctionTest.earn(m, 10, "PURCHASE", "a-1"),
                "{broken",
                QueueEarnFunctionTest.earn(m, 20, "PURCHASE", "a-2"))));
        assertEquals(Set.of(prefix + "-0", prefix + "-1", prefix + "-2"), QueueEarnFunctionTest.failures(response));
    }
}
