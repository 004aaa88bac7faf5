package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A Kiritimati (UTC+14) program: points expire at the end of the local day, ten hours before UTC midnight. */
@QuarkusTest
@TestProfile(FunctionProfile.ExpireSweepKiritimati.class)
class FarTimeZoneSweepTest extends SpendingSupport {

    @AfterEach
    void unpin() {
        TestClock.release();
    }

    @Test
    void expiryFallsAtTheEndOfTheProgramsDay() {
        // 09:30Z is 23:30 on 10 March in Kiritimati: SIGN_IN (30 days) lives to the end of 9 April there,
        // i.e. 2030-04-09T10:00:00Z, not 2030-04-10T00:00:00Z as in a UTC program.
        TestClock.pin(Instant.parse("2030-03-10T09:30:00Z"));
        String m = newMember();
        UUID earned = seed(m, 40, "SIGN_IN", null);
        Instant expiresAt = db.read(tx -> tx.query("SELECT expires_at FROM lots WHERE member_id = $1 AND source_entry_id = $2",
                m, earned).iterator().next().getOffsetDateTime(0).toInstant());
        assertEquals(Instant.parse("2030-04-09T10:00:00Z"), expiresAt);

        TestClock.pin(Instant.parse("2030-04-09T09:59:59Z"));
        JsonNode before = Lambda.invoke(Lambda.sample("scheduled/expire-sweep.json"));
        assertEquals(40, balance(m), "one second before the local midnight: still there " + before);
        TestClock.pin(Instant.parse("2030-04-09T10:00:00Z"));
        JsonNode at = Lambda.invoke(Lambda.sample("scheduled/expire-sweep.json"));
        assertEquals(0, balance(m), at.toString());
        assertEquals(40, at.at("/pointsExpiredByType/SIGN_IN").asLong());
    }
}
