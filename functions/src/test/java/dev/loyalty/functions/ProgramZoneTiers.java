package dev.loyalty.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loyalty.core.earn.EarnCommand;
import dev.loyalty.functions.earn.EarnResult;
import dev.loyalty.functions.earn.EarnService;
import dev.loyalty.functions.program.TierSets;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.tiers.TierReview;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A calendar-year window at the year boundary of the program's time zone, on real PostgreSQL,
 * with the program in a zone far from UTC ({@link Plus14Test}: UTC+14, {@link Minus11Test}:
 * UTC-11): the year ends at the zone's midnight, not UTC's; qualifying day rows are kept by the
 * zone's day; a late earn that occurred before the zone's midnight counts for the old year only;
 * the grace started by the new year ends 30 days after the zone's midnight.
 */
abstract class ProgramZoneTiers extends LedgerTestSupport {
    static final String CALENDAR = MemberTiersTest.ROLLING.replace("ROLLING_12_MONTHS", "CALENDAR_YEAR");

    /** The balance function with the program's time zone set. */
    abstract static class InZone extends FunctionProfile {
        private final String zone;

        InZone(String zone) {
            super("balance");
            this.zone = zone;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> out = new HashMap<>(super.getConfigOverrides());
            out.put("loyalty.program.time-zone", zone);
            return out;
        }
    }

    @Inject
    Db db;
    @Inject
    TierSets tierSets;
    @Inject
    EarnService earn;
    @Inject
    TierReview review;

    abstract ZoneId zone();

    @AfterEach
    void defaultTiersAgain() {
        TestClock.release();
        MemberTiersTestSupport.publish(tierSets, MemberTiersTest.DEFAULT, Instant.now());
    }

    void earn(String member, long points, String reference, Instant occurredAt) {
        EarnResult r = earn.earn(new EarnCommand(member, points, "PURCHASE", reference, occurredAt, null));
        assertInstanceOf(EarnResult.Applied.class, r, r.toString());
    }

    @Test
    void theCalendarYearEndsAtMidnightInTheProgramsZone() {
        Instant t0 = MemberTiersTestSupport.publish(tierSets, CALENDAR, Instant.now());
        ZoneId zone = zone();
        String m = newMember();
        int year = LocalDate.ofInstant(t0, zone).getYear() + 1;
        Instant newYear = LocalDate.of(year, 1, 1).atStartOfDay(zone).toInstant();
        // UTC's date at the zone's midnight is another one: the zone decides.
        LocalDate utcDay = LocalDate.ofInstant(newYear, java.time.ZoneOffset.UTC);
        assertEquals(zone.getRules().getOffset(newYear).getTotalSeconds() > 0 ? LocalDate.of(year - 1, 12, 31) : LocalDate.of(year, 1, 1),
                utcDay);

        TestClock.pin(newYear.minusSeconds(20));
        earn(m, 1500, "dec", null);
        assertEquals(List.of(LocalDate.of(year - 1, 12, 31) + ":1500"), days(m), "kept on the zone's day");
        TestClock.pin(newYear.minusSeconds(1));
        JsonNode dec = MemberTiersTest.tier(m);
        assertEquals("SILVER", dec.get("name").asText(), dec.toString());
        assertEquals(1500, dec.get("qualifyingPoints").asLong());

        TestClock.pin(newYear);
        JsonNode jan = MemberTiersTest.tier(m);
        assertEquals("SILVER", jan.get("name").asText(), jan.toString());
        assertEquals(0, jan.get("qualifyingPoints").asLong(), jan.toString());
        Instant downgradeAt = newYear.plus(Duration.ofDays(30));
        assertEquals(downgradeAt.toString(), jan.get("downgradeAt").asText());

        // An earn now counts for the new year; a late one that occurred before the zone's midnight
        // counts for the old year only.
        TestClock.pin(newYear.plusSeconds(5));
        earn(m, 200, "jan", null);
        earn(m, 100, "late-dec", newYear.minusSeconds(10));
        assertEquals(List.of(LocalDate.of(year - 1, 12, 31) + ":1600", LocalDate.of(year, 1, 1) + ":200"), days(m));
        assertEquals(200, MemberTiersTest.tier(m).get("qualifyingPoints").asLong());

        TestClock.pin(downgradeAt.plusSeconds(60));
        review.run(100, 10_000, Integer.MAX_VALUE);
        JsonNode dropped = MemberTiersTest.tier(m);
        assertEquals("MEMBER", dropped.get("name").asText(), dropped.toString());
        assertEquals("GRACE_ENDED", dropped.at("/history/1/reason").asText(), dropped.toString());
        assertEquals(downgradeAt.toString(), dropped.at("/history/1/at").asText());
        assertEquals(List.of("MEMBER>SILVER", "SILVER>MEMBER"), db.read(tx -> tx.list(
                "SELECT from_tier || '>' || to_tier AS h FROM member_tier_history WHERE member_id = $1 ORDER BY position",
                r -> r.getString("h"), m)));
    }

    List<String> days(String member) {
        return db.read(tx -> tx.list("SELECT day, points FROM qualifying_days WHERE member_id = $1 ORDER BY day",
                r -> r.getLocalDate("day") + ":" + r.getLong("points"), member));
    }
}
