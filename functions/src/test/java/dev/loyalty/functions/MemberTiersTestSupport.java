package dev.loyalty.functions;

import dev.loyalty.core.tiers.TierSetParser;
import dev.loyalty.functions.program.TierSets;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Publishing tier sets in tests (they are global data: tests put the one-tier default back afterwards). */
final class MemberTiersTestSupport {
    private MemberTiersTestSupport() {
    }

    /**
     * Publishes at {@code from}, or just after the latest version if that is later (versions may
     * not go back in time), and returns once the real clock has passed it, so the next publication
     * at the real now (another test's) is not refused.
     */
    static Instant publish(TierSets tierSets, String document, Instant requested) {
        Instant latest = tierSets.asOf(Instant.parse("9999-01-01T00:00:00Z")).effectiveFrom();
        Instant from = requested.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        if (!from.isAfter(latest)) {
            from = latest.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusMillis(1);
        }
        while (!Instant.now().isAfter(from)) {
            Thread.onSpinWait();
        }
        var set = switch (tierSets.parse(new JsonObject(document).getMap())) {
            case TierSetParser.Result.Parsed p -> p.tierSet();
            case TierSetParser.Result.Invalid i -> throw new AssertionError(i.errors().toString());
        };
        assertInstanceOf(TierSets.Published.Created.class, tierSets.publish(set, from, from, "test"));
        return from;
    }

    /** The member's {@code tier.changed} events in the outbox, oldest first, as "FROM>TO:REASON". */
    static java.util.List<String> tierEvents(dev.loyalty.functions.store.Db db, String member) {
        return db.read(tx -> tx.list("SELECT data::text AS d FROM outbox WHERE member_id = $1 AND type = 'tier.changed'"
                + " ORDER BY sequence", r -> {
                    JsonObject d = new JsonObject(r.getString("d"));
                    return d.getString("from") + ">" + d.getString("to") + ":" + d.getString("reason");
                }, member));
    }
}
