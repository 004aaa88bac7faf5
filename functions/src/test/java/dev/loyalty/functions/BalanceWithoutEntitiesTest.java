package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static dev.loyalty.functions.ApiEvents.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A SQL-only function runs with the configuration entities deactivated, as
 * {@code config.ConfigEntitiesActivation} deploys balance, the queue and the jobs: it starts
 * and serves its reads through the pool.
 */
@QuarkusTest
@TestProfile(BalanceWithoutEntitiesTest.WithoutEntities.class)
class BalanceWithoutEntitiesTest {

    public static final class WithoutEntities extends FunctionProfile {
        public WithoutEntities() {
            super("balance");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("quarkus.hibernate-orm.active", "false");
            return config;
        }
    }

    @jakarta.inject.Inject
    dev.loyalty.functions.tiers.TierReview review;

    /** The tier-review too (deployed without entities): its tier set read is plain SQL. */
    @Test
    void theTierReviewRunsWithHibernateDeactivated() {
        dev.loyalty.functions.tiers.TierReview.Report r = review.run(1_000, 60_000, Integer.MAX_VALUE);
        org.junit.jupiter.api.Assertions.assertTrue(r.tierSetVersion() >= 1 && r.chunks() >= 1, r.toString());
    }

    @Test
    void balanceServesWithHibernateDeactivated() {
        String member = "no-entities-" + UUID.randomUUID();
        JsonNode r = Lambda.invoke(ApiEvents.balance(member));
        assertEquals(404, r.get("statusCode").asInt(), r.toString());
        assertEquals("MEMBER_NOT_FOUND", body(r).get("code").asText());
    }
}
