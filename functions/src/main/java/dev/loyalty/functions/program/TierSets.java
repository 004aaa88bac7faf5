package dev.loyalty.functions.program;

import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.tiers.TierSet;
import dev.loyalty.core.tiers.TierSetDocument;
import dev.loyalty.core.tiers.TierSetParser;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Tx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tier set versions: publish (a new immutable version), read the one in force at an instant.
 * Versions never change once written, so a parsed version is cached by its number for the life
 * of the function; the hot path's read asks for the document only when it is not cached.
 */
@ApplicationScoped
public class TierSets {
    /** Serialises publications (the next version number and the effectiveFrom order). */
    private static final long PUBLISH_LOCK_KEY = 0x5449455253L; // "TIERS"
    private static final int CACHE_MAX = 256;

    private final Db db;
    private final PointTypeCatalog catalog;
    private final Map<Long, TierSet> cache = new ConcurrentHashMap<>();

    public TierSets(Db db, PointTypeCatalog catalog) {
        this.db = db;
        this.catalog = catalog;
    }

    /** A version with when it takes effect. */
    public record Version(long version, Instant effectiveFrom, TierSet tierSet) {
    }

    public sealed interface Published {
        record Created(long version, Instant effectiveFrom) implements Published {
        }

        record Refused(Refusal refusal) implements Published {
        }
    }

    /** Validates a document against the program's point types. */
    public TierSetParser.Result parse(Object document) {
        return TierSetParser.parse(document, catalog.codes());
    }

    /** Queues the read of the version in force at {@code at} (its document only if not cached). */
    public Tx.Deferred<Version> inForce(Tx tx, Instant at) {
        Long[] cached = cache.keySet().toArray(Long[]::new);
        return tx.later("SELECT version, effective_from, CASE WHEN version = ANY($2) THEN NULL ELSE document::text END AS document"
                + " FROM tier_sets WHERE effective_from <= $1 ORDER BY effective_from DESC, version DESC LIMIT 1", rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        // V13 seeds version 1 in force since the earliest occurredAt a write may carry.
                        throw new IllegalStateException("no tier set in force at " + at);
                    }
                    var r = it.next();
                    long version = r.getLong("version");
                    return new Version(version, Tx.instant(r, "effective_from"), cached(version, r.getString("document")));
                }, at, cached);
    }

    public Version asOf(Instant at) {
        return db.inTransaction(tx -> {
            var v = inForce(tx, at);
            tx.flush();
            return v.get();
        });
    }

    private TierSet cached(long version, String document) {
        TierSet known = cache.get(version);
        if (known != null) {
            return known;
        }
        if (document == null) {
            throw new IllegalStateException("tier set version " + version + " left the cache between read and use");
        }
        TierSet parsed = switch (parse(new JsonObject(document).getMap())) {
            case TierSetParser.Result.Parsed p -> p.tierSet();
            // A stored version names something the configuration no longer has (a point type removed).
            case TierSetParser.Result.Invalid i -> throw new IllegalStateException(
                    "stored tier set version " + version + " is no longer valid: " + i.errors());
        };
        if (cache.size() >= CACHE_MAX) {
            cache.clear();
        }
        cache.put(version, parsed);
        return parsed;
    }

    /**
     * Publishes {@code tierSet} as the next version, in force from {@code effectiveFrom} (now when
     * null); one earlier than the latest version's is refused (409 RULES_VERSION_CONFLICT).
     */
    public Published publish(TierSet tierSet, Instant effectiveFrom, Instant now, String publishedBy) {
        Instant from = effectiveFrom == null ? now : effectiveFrom;
        return db.inTransaction(tx -> {
            tx.later("SELECT pg_advisory_xact_lock($1)", r -> null, PUBLISH_LOCK_KEY);
            var latest = tx.laterOne("SELECT version, effective_from FROM tier_sets ORDER BY version DESC LIMIT 1",
                    r -> new Version(r.getLong("version"), Tx.instant(r, "effective_from"), null));
            tx.flush();
            Version last = latest.get().orElseThrow();
            if (from.isBefore(last.effectiveFrom())) {
                return new Published.Refused(new Refusal.RulesVersionConflict(last.effectiveFrom()));
            }
            long version = last.version() + 1;
            tx.later("INSERT INTO tier_sets(version, effective_from, document, published_at, published_by)"
                            + " VALUES ($1, $2, $3::text::jsonb, $4, $5)", r -> null, version, from,
                    Json.encode(TierSetDocument.of(tierSet)), now, publishedBy);
            return new Published.Created(version, from);
        });
    }
}
