package dev.loyalty.functions.program;

import dev.loyalty.core.PointTypeCatalog;
import dev.loyalty.core.Refusal;
import dev.loyalty.core.events.DomainEvents;
import dev.loyalty.core.tiers.TierSet;
import dev.loyalty.core.tiers.TierSetDocument;
import dev.loyalty.core.tiers.TierSetParser;
import dev.loyalty.functions.store.Db;
import dev.loyalty.functions.store.Entities;
import dev.loyalty.functions.store.LedgerWriter;
import dev.loyalty.functions.store.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/**
 * Tier set versions ({@link TierSetVersion} entities in {@code tier_sets}): publish a new
 * immutable version (with its {@code program.tiers.published} event), read the one in force at
 * an instant. The store is the shared {@link VersionedDocuments}; this facade says what a rule
 * set is (its parser, its document, its event).
 */
@ApplicationScoped
public class TierSets {
    /** Serialises publications (the next version number and the effectiveFrom order). */
    private static final long PUBLISH_LOCK_KEY = 0x5449455253L; // "TIERS"

    private final PointTypeCatalog catalog;
    private final VersionedDocuments<TierSetVersion, TierSet> store;

    public TierSets(Db db, PointTypeCatalog catalog, Entities entities, LedgerWriter writer, TierSetVersions versions) {
        this.catalog = catalog;
        this.store = new VersionedDocuments<>(new VersionedDocuments.Kind<>("tier set", "tier_sets", PUBLISH_LOCK_KEY,
                versions, TierSetVersion::new, this::parseStored, TierSetDocument::of,
                (version, from, by, at) -> DomainEvents.tiersPublished(version, from, by, at, UUID::randomUUID)),
                db, entities, writer);
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

    private TierSet parseStored(java.util.Map<String, Object> document) {
        return switch (parse(document)) {
            case TierSetParser.Result.Parsed p -> p.tierSet();
            // A stored version names something the configuration no longer has (a point type removed).
            case TierSetParser.Result.Invalid i -> throw new IllegalStateException(
                    "a stored tier set version is no longer valid: " + i.errors());
        };
    }

    /** Queues the read of the version in force at {@code at} (its document only if not cached). */
    public Tx.Deferred<Version> inForce(Tx tx, Instant at) {
        return store.inForce(tx, at, v -> new Version(v.version(), v.effectiveFrom(), v.document()));
    }

    /** Queues the read of the versions in force over [{@code from}, {@code to}] (a queue batch's occurredAt range). */
    public Tx.Deferred<VersionedDocuments.InForce<Version>> inForceOver(Tx tx, Instant from, Instant to) {
        return store.inForceOver(tx, from, to, v -> new Version(v.version(), v.effectiveFrom(), v.document()));
    }

    /** Queues the read of every version, in version order (plain SQL). */
    public Tx.Deferred<java.util.List<Version>> all(Tx tx) {
        return store.all(tx, v -> new Version(v.version(), v.effectiveFrom(), v.document()));
    }

    /**
     * What the tier-review's due filter asks of a stored row under {@code set}
     * ({@code TierDecision.settled}), as three arrays: the versions of {@code all} that count
     * qualifying points as {@code set} does ({@code TierSet.qualifiesAs}; under the others no row
     * is settled), {@code set}'s tier names, and row-major per (version, tier)
     * {@code TierSet.settledBelow}: a row at that tier evaluated under that version with fewer
     * stored points (and no grace, nothing due) is left as it is (0: never).
     */
    public record Settled(Long[] versions, String[] tiers, Long[] bounds) {
    }

    public static Settled settled(java.util.List<Version> all, TierSet set) {
        var alike = all.stream().filter(v -> v.tierSet().qualifiesAs(set)).toList();
        String[] tiers = set.tiers().stream().map(dev.loyalty.core.tiers.TierLevel::name).toArray(String[]::new);
        Long[] bounds = new Long[alike.size() * tiers.length];
        for (int i = 0; i < alike.size(); i++) {
            for (int j = 0; j < tiers.length; j++) {
                bounds[i * tiers.length + j] = set.settledBelow(alike.get(i).tierSet(), tiers[j]);
            }
        }
        return new Settled(alike.stream().map(Version::version).toArray(Long[]::new), tiers, bounds);
    }

    public Version asOf(Instant at) {
        var v = store.asOf(at);
        return new Version(v.version(), v.effectiveFrom(), v.document());
    }

    /**
     * The tier names a rule set in force from {@code at} may name in {@code when.tiers}: those of
     * the tier set version in force at {@code at} and of every later version published so far
     * (a rule set may span a change of tier sets, so a name of any of them is known).
     */
    public java.util.Set<String> namesFrom(Instant at) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        store.inForceFrom(at).forEach(v -> v.document().tiers().forEach(t -> names.add(t.name())));
        return names;
    }

    /**
     * Publishes {@code tierSet} as the next version, in force from {@code effectiveFrom} (now when
     * null); one earlier than the latest version's is refused (409 RULES_VERSION_CONFLICT).
     */
    public Published publish(TierSet tierSet, Instant effectiveFrom, Instant now, String publishedBy) {
        return switch (store.publish(tierSet, effectiveFrom, now, publishedBy)) {
            case VersionedDocuments.Published.Created c -> new Published.Created(c.version(), c.effectiveFrom());
            case VersionedDocuments.Published.Refused r -> new Published.Refused(r.refusal());
        };
    }
}
